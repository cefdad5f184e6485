using System.Net;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration;

/// <summary>Two real processes, curl and nginx, traced from the kernel: both ends of each exchange.</summary>
[Collection("Kernel")]
public sealed class CurlToNginxTests
{
    [KernelFact]
    public async Task Get_yields_a_server_record_for_nginx_and_a_client_record_for_curl()
    {
        await using var nginx = await NginxServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions());

        var curl = await Curl.RunAsync(nginx.Url("/index.html?from=curl"));
        Assert.Equal(NginxServer.IndexBody, curl.StandardOutput);

        var server = await session.WaitForAsync<HttpRecord>(r => r.Pid == nginx.Pid && r.LocalEndPoint?.Port == nginx.Port, what: "nginx's side");
        var client = await session.WaitForAsync<HttpRecord>(r => r.Pid == curl.Pid && r.RemoteEndPoint?.Port == nginx.Port, what: "curl's side");

        var served = Assert.Single(server);
        Assert.Equal(ConnectionRole.Server, served.Role);
        Assert.Equal("GET", served.Method);
        Assert.Equal("/index.html?from=curl", served.Target);
        Assert.Equal("HTTP/1.1", served.Version);
        Assert.Equal(200, served.StatusCode);
        Assert.Equal(NginxServer.IndexBody.Length, served.ResponseBodySize);
        Assert.False(served.DataLost);
        Assert.True(served.Latency > TimeSpan.Zero, $"latency {served.Latency}");

        var sent = Assert.Single(client);
        Assert.Equal(ConnectionRole.Client, sent.Role);
        Assert.Equal("GET", sent.Method);
        Assert.Equal("/index.html?from=curl", sent.Target);
        Assert.Equal(200, sent.StatusCode);
        Assert.Equal("curl", sent.ProcessName);
        Assert.True(sent.Latency > TimeSpan.Zero, $"latency {sent.Latency}");

        // The two records are the two ends of one TCP connection.
        Assert.Equal(sent.LocalEndPoint?.Port, served.RemoteEndPoint?.Port);
        Assert.Equal(served.LocalEndPoint?.Port, sent.RemoteEndPoint?.Port);
    }

    [KernelFact]
    public async Task Post_with_a_body_yields_the_method_target_and_status()
    {
        await using var nginx = await NginxServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions());

        const string body = "name=tracer&kind=ebpf";
        var curl = await Curl.RunAsync("--data", body, nginx.Url("/created"));
        Assert.Equal(NginxServer.CreatedBody, curl.StandardOutput);

        var served = Assert.Single(await session.WaitForAsync<HttpRecord>(r => r.Pid == nginx.Pid && r.LocalEndPoint?.Port == nginx.Port, what: "nginx's side"));
        var sent = Assert.Single(await session.WaitForAsync<HttpRecord>(r => r.Pid == curl.Pid && r.RemoteEndPoint?.Port == nginx.Port, what: "curl's side"));

        foreach (var record in new[] { served, sent })
        {
            Assert.Equal("POST", record.Method);
            Assert.Equal("/created", record.Target);
            Assert.Equal(201, record.StatusCode);
            Assert.Equal(body.Length, record.RequestBodySize);
            Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}");
        }

        Assert.Equal(ConnectionRole.Server, served.Role);
        Assert.Equal(ConnectionRole.Client, sent.Role);
        Assert.Equal(sent.LocalEndPoint?.Port, served.RemoteEndPoint?.Port);
    }

    [Ipv6KernelFact]
    public async Task Ipv6_connections_are_traced_with_their_addresses()
    {
        await using var nginx = await NginxServer.StartAsync(ipv6: true);
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions());

        var curl = await Curl.RunAsync("--globoff", nginx.Url("/index.html?v=6"));
        Assert.Equal(NginxServer.IndexBody, curl.StandardOutput);

        var served = Assert.Single(await session.WaitForAsync<HttpRecord>(r => r.Pid == nginx.Pid && r.LocalEndPoint?.Port == nginx.Port, what: "nginx's side"));
        var sent = Assert.Single(await session.WaitForAsync<HttpRecord>(r => r.Pid == curl.Pid && r.RemoteEndPoint?.Port == nginx.Port, what: "curl's side"));

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, nginx.Port), served.LocalEndPoint);
        Assert.Equal(IPAddress.IPv6Loopback, served.RemoteEndPoint?.Address);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, nginx.Port), sent.RemoteEndPoint);
        Assert.Equal(sent.LocalEndPoint, served.RemoteEndPoint);
        Assert.Equal("/index.html?v=6", served.Target);
        Assert.Equal("/index.html?v=6", sent.Target);
        Assert.Equal(200, served.StatusCode);
        Assert.Equal(ConnectionRole.Server, served.Role);
        Assert.Equal(ConnectionRole.Client, sent.Role);
    }

    [KernelFact]
    public async Task Keep_alive_requests_on_one_connection_yield_one_record_each_in_order()
    {
        await using var nginx = await NginxServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions());

        string[] targets = ["/index.html?n=1", "/created?n=2", "/index.html?n=3", "/missing?n=4"];
        // curl reuses one connection for several URLs on the same host; without --fail, so the 404 is fine.
        var curl = await ProcessRun.RunAsync(
            "curl",
            ["--silent", "--show-error", "--http1.1", "--noproxy", "*", "--max-time", "10", .. targets.Select(nginx.Url)],
            TestTimeouts.Process);
        Assert.True(curl.ExitCode == 0, curl.StandardError);

        var served = await session.WaitForAsync<HttpRecord>(r => r.Pid == nginx.Pid && r.LocalEndPoint?.Port == nginx.Port, targets.Length, "nginx's side");
        var sent = await session.WaitForAsync<HttpRecord>(r => r.Pid == curl.Pid && r.RemoteEndPoint?.Port == nginx.Port, targets.Length, "curl's side");

        foreach (var records in new[] { served, sent })
        {
            Assert.Equal(targets.Length, records.Count);
            Assert.Single(records.Select(r => r.Connection.Id).Distinct());
            // Emitted in the order they happened on the connection.
            Assert.Equal(targets, records.Select(r => r.Target));
            Assert.Equal(new int?[] { 200, 201, 200, 404 }, records.Select(r => r.StatusCode));
            Assert.Equal(records.OrderBy(r => r.RequestTime), records);
            Assert.All(records, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));
        }
    }
}
