using System.Text;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration;

/// <summary>HttpClient and Kestrel in the test's own process: traced only when asked to.</summary>
[Collection("Kernel")]
public sealed class InProcessKestrelTests
{
    [KernelFact]
    public async Task Own_process_traffic_is_traced_when_asked_with_both_roles()
    {
        await using var kestrel = await KestrelServer.StartAsync();
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(options);

        Assert.Equal(KestrelServer.HelloBody, await kestrel.Client.GetStringAsync(new Uri("/hello?n=1", UriKind.Relative)));
        var payload = Encoding.UTF8.GetBytes(new string('x', 3000));
        using (var response = await kestrel.Client.PostAsync(new Uri("/items", UriKind.Relative), new ByteArrayContent(payload)))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }

        var served = await session.WaitForAsync<HttpRecord>(r => r.LocalEndPoint?.Port == kestrel.Port, 2, "Kestrel's side");
        var sent = await session.WaitForAsync<HttpRecord>(r => r.RemoteEndPoint?.Port == kestrel.Port, 2, "HttpClient's side");

        foreach (var (records, role) in new[] { (served, ConnectionRole.Server), (sent, ConnectionRole.Client) })
        {
            Assert.Equal(2, records.Count);
            Assert.All(records, r => Assert.Equal(Environment.ProcessId, r.Pid));
            Assert.All(records, r => Assert.Equal(role, r.Role));

            var get = Assert.Single(records, r => r.Method == "GET");
            Assert.Equal("/hello?n=1", get.Target);
            Assert.Equal(200, get.StatusCode);
            Assert.Equal(KestrelServer.HelloBody.Length, get.ResponseBodySize);

            var post = Assert.Single(records, r => r.Method == "POST");
            Assert.Equal("/items", post.Target);
            Assert.Equal(201, post.StatusCode);
            Assert.Equal(payload.Length, post.RequestBodySize);
            Assert.All(records, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));
        }
    }

    [KernelFact]
    public async Task Own_process_traffic_is_not_traced_by_default_while_other_processes_are()
    {
        await using var kestrel = await KestrelServer.StartAsync();
        await using var nginx = await NginxServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions());

        // The in-process exchange happens first; once curl's later one is traced, the tracer has been
        // live all along and has had every chance to report the first.
        Assert.Equal(KestrelServer.HelloBody, await kestrel.Client.GetStringAsync(new Uri("/hello?own=1", UriKind.Relative)));
        var curl = await Curl.RunAsync(nginx.Url("/index.html?other=1"));

        var other = await session.WaitForAsync<HttpRecord>(r => r.Pid == curl.Pid && r.RemoteEndPoint?.Port == nginx.Port, what: "curl's side");
        Assert.Equal("/index.html?other=1", Assert.Single(other).Target);
        await session.WaitForAsync<HttpRecord>(r => r.Pid == nginx.Pid && r.LocalEndPoint?.Port == nginx.Port, what: "nginx's side");

        var own = session.Snapshot().Where(r => r.Pid == Environment.ProcessId || r.LocalEndPoint?.Port == kestrel.Port || r.RemoteEndPoint?.Port == kestrel.Port);
        Assert.Empty(own);
    }
}
