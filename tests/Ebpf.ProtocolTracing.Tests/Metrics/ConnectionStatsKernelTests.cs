using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Metrics;

/// <summary>curl to nginx on the real kernel: connection statistics and who is talking.</summary>
[Collection("Kernel")]
public sealed class ConnectionStatsKernelTests
{
    [KernelFact]
    public async Task Curl_to_nginx_yields_closed_connection_stats_for_both_ends_with_their_processes()
    {
        await using var nginx = await NginxServer.StartAsync();
        var options = new ProtocolTracingOptions { ConnectionStatsInterval = TimeSpan.FromMilliseconds(200) };
        await using var session = await TracingSession.StartAsync(options);
        using var stop = new CancellationTokenSource(TestTimeouts.Records);
        var stats = new List<ConnectionStats>();
        var reader = Task.Run(async () =>
        {
            await foreach (var item in session.Tracer.ReadConnectionStatsAsync(stop.Token))
            {
                lock (stats)
                {
                    stats.Add(item);
                }

                if (item.Closed && item.LocalEndPoint?.Port == nginx.Port)
                {
                    return;
                }
            }
        });

        // One interval passes first so the reader is subscribed before the traffic.
        await Task.Delay(options.ConnectionStatsInterval * 2);
        // The second, rate-limited request keeps curl alive a moment: a process that exits within the
        // reader's latency after connecting can be gone before /proc is read (see the README).
        var curl = await Curl.RunAsync("--rate", "4/s", nginx.Url("/index.html"), nginx.Url("/index.html"));
        await reader.WaitAsync(TestTimeouts.Records);

        ConnectionStats[] seen;
        lock (stats)
        {
            seen = [.. stats];
        }

        var served = seen.First(s => s.Closed && s.LocalEndPoint?.Port == nginx.Port);
        Assert.Equal(nginx.Pid, served.Connection.Process.Pid);
        Assert.Equal(ConnectionRole.Server, served.Role);
        Assert.Equal("http", served.Protocol);
        Assert.True(served.BytesReceived > 0 && served.BytesSent > (ulong)NginxServer.IndexBody.Length, $"sent {served.BytesSent}, received {served.BytesReceived}");
        Assert.True(served.BytesSentInInterval <= served.BytesSent);
        Assert.EndsWith("/nginx", served.Connection.Process.ExecutablePath, StringComparison.Ordinal);
        Assert.Contains("nginx", served.Connection.Process.CommandLine, StringComparison.Ordinal);

        // curl's record names the process by its command line and executable, read when it connected.
        var sent = (await session.WaitForAsync<HttpRecord>(r => r.Pid == curl.Pid && r.RemoteEndPoint?.Port == nginx.Port, what: "curl's side"))[0];
        Assert.EndsWith("/curl", sent.Connection.Process.ExecutablePath, StringComparison.Ordinal);
        Assert.Contains(nginx.Url("/index.html"), sent.Connection.Process.CommandLine, StringComparison.Ordinal);
        Assert.Null(sent.Connection.Process.Container);
    }
}
