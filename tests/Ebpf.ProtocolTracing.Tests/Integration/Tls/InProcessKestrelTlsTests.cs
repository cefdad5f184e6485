using System.Text;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Tls;

/// <summary>
/// .NET's HTTPS in the test's own process: Kestrel as the server (curl, another process, as client),
/// and HttpClient as the client (nginx as server). .NET drives OpenSSL with memory BIOs — the socket
/// I/O is managed code's, often on another thread than the SSL call — so the SSL*→socket tie follows
/// the ciphertext buffers (recv → BioWrite, BioRead → send) rather than the thread.
/// </summary>
[Collection("Kernel")]
public sealed class InProcessKestrelTlsTests
{
    [KernelFact]
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

    [KernelFact]
    public async Task HttpClient_https_in_own_process_yields_encrypted_client_records()
    {
        await using var nginx = await TlsNginxServer.StartAsync();
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(options);

        using var trusted = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(nginx.CertificatePath));
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

    [KernelFact]
    public async Task HttpClient_to_Kestrel_https_in_own_process_yields_both_sides_in_plaintext()
    {
        await using var kestrel = await TlsKestrelServer.StartAsync();
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(options);

        Assert.Equal(TlsKestrelServer.HelloBody, await kestrel.Client.GetStringAsync(new Uri("/hello?both=1", UriKind.Relative)));
        using (var response = await kestrel.Client.PostAsync(new Uri("/items", UriKind.Relative), new StringContent(new string('q', 5000), Encoding.UTF8)))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }

        var served = await session.WaitForAsync<HttpRecord>(r => r.LocalEndPoint?.Port == kestrel.Port, 2, "Kestrel's side");
        var sent = await session.WaitForAsync<HttpRecord>(r => r.RemoteEndPoint?.Port == kestrel.Port, 2, "HttpClient's side");
        AssertExchange(served, ConnectionRole.Server);
        AssertExchange(sent, ConnectionRole.Client);

        // Each side's records are tied to its own socket of the one connection (HttpClient's socket is
        // dual-mode IPv6, so only the ports compare).
        Assert.All(sent, r => Assert.Equal(sent[0].LocalEndPoint?.Port, r.LocalEndPoint?.Port));
        Assert.All(served, r => Assert.Equal(sent[0].LocalEndPoint?.Port, r.RemoteEndPoint?.Port));
        TlsAssertions.NoUnencryptedRecordsOnPort(session, kestrel.Port);
    }

    [KernelFact]
    public async Task Tracing_started_on_an_open_https_connection_ties_later_requests_to_it()
    {
        await using var kestrel = await TlsKestrelServer.StartAsync();
        Assert.Equal(TlsKestrelServer.HelloBody, await kestrel.Client.GetStringAsync(new Uri("/hello?before=tracing", UriKind.Relative)));

        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(options);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TlsKestrelServer.HelloBody, await kestrel.Client.GetStringAsync(new Uri($"/hello?after={i}", UriKind.Relative)));
        }

        // The first exchange after the join can be missed (its BIOs are learned from it); later ones are not.
        var served = await session.WaitForAsync<HttpRecord>(r => r.LocalEndPoint?.Port == kestrel.Port && r.Target == "/hello?after=2", 1, "Kestrel's side");
        var sent = await session.WaitForAsync<HttpRecord>(r => r.RemoteEndPoint?.Port == kestrel.Port && r.Target == "/hello?after=2", 1, "HttpClient's side");
        Assert.Equal(ConnectionRole.Server, Assert.Single(served).Role);
        Assert.Equal(200, served[0].StatusCode);
        Assert.True(sent[0].Encrypted);
        Assert.Equal(200, sent[0].StatusCode);
        Assert.Equal(sent[0].LocalEndPoint?.Port, served[0].RemoteEndPoint?.Port);
        Assert.DoesNotContain(session.Snapshot().OfType<HttpRecord>(), r => r.Target == "/hello?before=tracing");
        TlsAssertions.NoUnencryptedRecordsOnPort(session, kestrel.Port);
    }

    private static void AssertExchange(IReadOnlyList<HttpRecord> records, ConnectionRole role)
    {
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(Environment.ProcessId, r.Pid));
        Assert.All(records, r => Assert.Equal(role, r.Role));
        Assert.All(records, r => Assert.True(r.Encrypted, $"not marked encrypted: {r}"));
        Assert.All(records, r => Assert.False(r.DataLost, $"data lost: {r}"));
        Assert.All(records, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));
        var get = Assert.Single(records, r => r.Method == "GET");
        Assert.Equal("/hello?both=1", get.Target);
        Assert.Equal(200, get.StatusCode);
        Assert.Equal(TlsKestrelServer.HelloBody.Length, get.ResponseBodySize);
        var post = Assert.Single(records, r => r.Method == "POST");
        Assert.Equal("/items", post.Target);
        Assert.Equal(201, post.StatusCode);
        Assert.Equal(5000, post.RequestBodySize);
    }
}
