using System.Text;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Tls;

/// <summary>
/// .NET's HTTPS in the test's own process: Kestrel as the server (curl, another process, as client),
/// and HttpClient as the client (nginx as server). .NET drives OpenSSL with memory BIOs — the socket
/// I/O is managed code's, often on another thread than the SSL call — so the SSL*→socket tie rests on
/// the thread's last socket, which .NET's thread hops break: some calls are missed or tied to another
/// socket. These tests are skipped until the tie follows the ciphertext buffers (docs/architecture.md,
/// TLS, limits); they pass only intermittently today.
/// </summary>
[Collection("Kernel")]
public sealed class InProcessKestrelTlsTests
{
    [KernelFact(Skip = ".NET uses OpenSSL with memory BIOs; the thread-based SSL*-to-socket tie misses or mis-binds some calls (docs/architecture.md, TLS limits).")]
    public async Task Kestrel_https_in_own_process_yields_encrypted_server_records()
    {
        await using var kestrel = await TlsKestrelServer.StartAsync();
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(options);

        var url = $"https://127.0.0.1:{kestrel.Port}";
        var get = await Curl.RunAsync("--insecure", url + "/hello?tls=1");
        Assert.Equal(TlsKestrelServer.HelloBody, get.StandardOutput);
        var post = await Curl.RunAsync("--insecure", "--data-binary", new string('y', 3000), url + "/items");

        var served = await session.WaitForAsync<HttpRecord>(r => r.LocalEndPoint?.Port == kestrel.Port, 2, "Kestrel's side");
        Assert.Equal(2, served.Count);
        Assert.All(served, r => Assert.Equal(Environment.ProcessId, r.Pid));
        Assert.All(served, r => Assert.Equal(ConnectionRole.Server, r.Role));
        Assert.All(served, r => Assert.True(r.Encrypted, $"not marked encrypted: {r}"));
        Assert.All(served, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));

        var servedGet = Assert.Single(served, r => r.Method == "GET");
        Assert.Equal("/hello?tls=1", servedGet.Target);
        Assert.Equal(200, servedGet.StatusCode);
        Assert.Equal(TlsKestrelServer.HelloBody.Length, servedGet.ResponseBodySize);

        var servedPost = Assert.Single(served, r => r.Method == "POST");
        Assert.Equal("/items", servedPost.Target);
        Assert.Equal(201, servedPost.StatusCode);
        Assert.Equal(3000, servedPost.RequestBodySize);

        TlsAssertions.NoUnencryptedRecordsOnPort(session, kestrel.Port);
    }

    [KernelFact(Skip = ".NET uses OpenSSL with memory BIOs; the thread-based SSL*-to-socket tie misses or mis-binds some calls (docs/architecture.md, TLS limits).")]
    public async Task HttpClient_https_in_own_process_yields_encrypted_client_records()
    {
        await using var nginx = await TlsNginxServer.StartAsync();
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(options);

        using var trusted = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(nginx.CertificatePath);
        var thumbprint = trusted.GetCertHashString();
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == thumbprint },
        })
        {
            DefaultRequestVersion = System.Net.HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TestTimeouts.Process,
        };
        Assert.Equal(TlsNginxServer.IndexBody, await client.GetStringAsync(new Uri(nginx.Url("/index.html?client=dotnet"))));
        using (var response = await client.PostAsync(new Uri(nginx.Url("/created")), new StringContent(new string('z', 2000), Encoding.UTF8)))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }

        var sent = await session.WaitForAsync<HttpRecord>(r => r.RemoteEndPoint?.Port == nginx.Port, 2, "HttpClient's side");
        Assert.Equal(2, sent.Count);
        Assert.All(sent, r => Assert.Equal(Environment.ProcessId, r.Pid));
        Assert.All(sent, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.All(sent, r => Assert.True(r.Encrypted, $"not marked encrypted: {r}"));
        Assert.All(sent, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));

        var get = Assert.Single(sent, r => r.Method == "GET");
        Assert.Equal("/index.html?client=dotnet", get.Target);
        Assert.Equal(200, get.StatusCode);
        Assert.Equal(TlsNginxServer.IndexBody.Length, get.ResponseBodySize);

        var post = Assert.Single(sent, r => r.Method == "POST");
        Assert.Equal("/created", post.Target);
        Assert.Equal(201, post.StatusCode);
        Assert.Equal(2000, post.RequestBodySize);

        TlsAssertions.NoUnencryptedRecordsOnPort(session, nginx.Port);
    }
}
