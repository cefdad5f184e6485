using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Tls;

/// <summary>curl → nginx over HTTPS: both ends' plaintext from uprobes on the shared libssl, tied to their sockets.</summary>
[Collection("Kernel")]
public sealed class CurlToNginxTlsTests
{
    [KernelFact]
    public async Task Https_get_and_post_yield_encrypted_records_on_both_ends()
    {
        await using var nginx = await TlsNginxServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions());

        var get = await Curl.RunAsync("--insecure", nginx.Url("/index.html?over=tls"));
        Assert.Equal(TlsNginxServer.IndexBody, get.StandardOutput);
        var post = await Curl.RunAsync("--insecure", "--data", "a=1&b=2", nginx.Url("/created"));
        Assert.Equal(TlsNginxServer.CreatedBody, post.StandardOutput);

        var served = await session.WaitForAsync<HttpRecord>(r => r.Pid == nginx.Pid && r.LocalEndPoint?.Port == nginx.Port, count: 2, what: "nginx's side");
        var sentGet = Assert.Single(await session.WaitForAsync<HttpRecord>(r => r.Pid == get.Pid, what: "curl's GET"));
        var sentPost = Assert.Single(await session.WaitForAsync<HttpRecord>(r => r.Pid == post.Pid, what: "curl's POST"));

        Assert.Equal(2, served.Count);
        var servedGet = Assert.Single(served, r => r.Method == "GET");
        var servedPost = Assert.Single(served, r => r.Method == "POST");
        Assert.Equal("/index.html?over=tls", servedGet.Target);
        Assert.Equal(200, servedGet.StatusCode);
        Assert.Equal(TlsNginxServer.IndexBody.Length, servedGet.ResponseBodySize);
        Assert.Equal("/created", servedPost.Target);
        Assert.Equal(201, servedPost.StatusCode);
        Assert.Equal(7, servedPost.RequestBodySize);
        Assert.Equal("GET", sentGet.Method);
        Assert.Equal(200, sentGet.StatusCode);
        Assert.Equal("POST", sentPost.Method);
        Assert.Equal(201, sentPost.StatusCode);

        foreach (var record in served.Append(sentGet).Append(sentPost))
        {
            Assert.True(record.Encrypted, $"not marked encrypted: {record}");
            Assert.False(record.DataLost, $"data lost: {record}");
            Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}");
        }

        // Tied to the socket: the endpoints are those of the TCP connection, and the roles are known.
        Assert.Equal(ConnectionRole.Server, servedGet.Role);
        Assert.Equal(ConnectionRole.Client, sentGet.Role);
        Assert.Equal(nginx.Port, sentGet.RemoteEndPoint?.Port);
        Assert.Equal(sentGet.LocalEndPoint?.Port, servedGet.RemoteEndPoint?.Port);
        Assert.Equal(sentPost.LocalEndPoint?.Port, servedPost.RemoteEndPoint?.Port);

        // No record was made of the ciphertext.
        TlsAssertions.NoUnencryptedRecordsOnPort(session, nginx.Port);
    }
}
