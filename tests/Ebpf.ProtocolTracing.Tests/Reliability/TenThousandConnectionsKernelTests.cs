using System.Diagnostics;
using System.Globalization;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Xunit.Abstractions;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// A client process holds 10,000 connections open at once and sends one request on each to a server in
/// this process: every exchange is accounted for (a record on each end, or a counted loss that explains
/// the shortfall), the tracker's connection count and buffered bytes stay bounded and return to zero,
/// and it all takes well under a minute.
/// </summary>
[Collection("Kernel")]
public sealed class TenThousandConnectionsKernelTests(ITestOutputHelper output)
{
    private const int Connections = 10_000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    // Opens every connection first (all open at once), then one request on each, then reads every
    // answer, then closes all. Raises its own descriptor limit when it must (root may).
    private const string Client = """
        import resource, socket, sys
        port, count = int(sys.argv[1]), int(sys.argv[2])
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = count + 64
        if soft < need:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, max(need, hard)))
        socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        for i, s in enumerate(socks):
            s.sendall(b"GET /c/%d HTTP/1.1\r\nHost: load\r\n\r\n" % i)
        ok = 0
        for s in socks:
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            ok += data.startswith(b"HTTP/1.1 200 ") and data.endswith(b"\r\n\r\nok")
        for s in socks:
            s.close()
        print(ok)
        """;

    [KernelFact]
    public async Task TenThousandConcurrentConnections_EveryExchangeAccountedFor_TrackerBounded()
    {
        await using var server = StallingHttpServer.Start();
        using var client = GatedProcess.Start("python3", "-c", Client, server.Port.ToString(CultureInfo.InvariantCulture), Connections.ToString(CultureInfo.InvariantCulture));
        var options = new ProtocolTracingOptions { TraceTls = false, TraceOwnProcess = true };
        options.Protocols.Add("http");
        options.ProcessIds.Add(client.Pid);
        options.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(options);
        var tracker = TracerInternals.Tracker(session.Tracer);

        long peakConnections = 0, peakBuffered = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakConnections = Math.Max(peakConnections, tracker.ConnectionCount);
                peakBuffered = Math.Max(peakBuffered, tracker.BufferedBytes);
                await Task.Delay(20);
            }
        });

        var clock = Stopwatch.StartNew();
        client.Release();
        var (exitCode, stdout, stderr) = await client.WaitForExitAsync(Budget);
        Assert.True(exitCode == 0, $"the client failed ({exitCode}): {stderr}");
        Assert.Equal(Connections.ToString(CultureInfo.InvariantCulture), stdout.Trim());

        var (served, sent) = await WaitForRecordsAsync(session, server.Port, client.Pid, Budget - clock.Elapsed);
        var elapsed = clock.Elapsed;
        var statistics = session.Tracer.GetStatistics();

        // Every exchange is there once on each end, or the shortfall is explained by counted loss: each
        // missing record needs at least one lost kernel event or one dropped record.
        var lossBudget = statistics.KernelEventsLost + statistics.RecordsDropped;
        foreach (var (end, records) in new[] { ("server", served), ("client", sent) })
        {
            int shortfall = Connections - records.Count;
            Assert.True(shortfall == 0 || (ulong)shortfall <= lossBudget,
                $"{end}: {records.Count} of {Connections} exchanges, but only {lossBudget} events lost or records dropped: {statistics}");
            Assert.All(records.Values.Where(r => !r.DataLost), r =>
            {
                Assert.Equal(200, r.StatusCode);
                Assert.Equal(2, r.ResponseBodySize);
            });
        }

        Assert.True(lossBudget > 0 || served.Values.All(r => !r.DataLost), "a record is marked DataLost though nothing was lost");
        Assert.True(elapsed < Budget, $"10,000 exchanges took {elapsed.TotalSeconds:F1} s to trace");

        // Bounded: never more connections than the two ends of 10,000 (plus a little of this process's
        // own traffic), buffered bytes far under the cap, and all forgotten once closed.
        var deadline = DateTime.UtcNow + TestTimeouts.Records;
        while (tracker.ConnectionCount > 16 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await sampling.CancelAsync();
        await sampler;
        output.WriteLine($"{served.Count} server and {sent.Count} client records in {elapsed.TotalSeconds:F1} s; peak {peakConnections} connections, {peakBuffered} bytes buffered; {statistics}");
        Assert.InRange(peakConnections, Connections, 2 * Connections + 64);
        Assert.InRange(tracker.ConnectionCount, 0, 16);
        Assert.InRange(peakBuffered, 0, 16L * 1024 * 1024);
        Assert.Equal(0, TracerInternals.TrackedConnectionsOf(session.Tracer, client.Pid));
    }

    private static async Task<(Dictionary<string, HttpRecord> Served, Dictionary<string, HttpRecord> Sent)> WaitForRecordsAsync(
        TracingSession session, int port, int clientPid, TimeSpan timeout)
    {
        var served = new Dictionary<string, HttpRecord>();
        var sent = new Dictionary<string, HttpRecord>();
        var deadline = DateTime.UtcNow + timeout;
        var lastProgress = DateTime.UtcNow;
        int read = 0;
        while (DateTime.UtcNow < deadline)
        {
            var snapshot = session.Snapshot();
            for (; read < snapshot.Count; read++)
            {
                if (snapshot[read] is not HttpRecord { Target: { } target } http)
                {
                    continue;
                }

                if (http.Pid == Environment.ProcessId && http.Role == ConnectionRole.Server && http.LocalEndPoint?.Port == port)
                {
                    Assert.True(served.TryAdd(target, http), $"two server records for {target}");
                }
                else if (http.Pid == clientPid)
                {
                    Assert.True(sent.TryAdd(target, http), $"two client records for {target}");
                }

                lastProgress = DateTime.UtcNow;
            }

            // Done when all came, or when nothing more came for a while (the rest was lost).
            if ((served.Count == Connections && sent.Count == Connections) || DateTime.UtcNow - lastProgress > TimeSpan.FromSeconds(5))
            {
                break;
            }

            await Task.Delay(50);
        }

        return (served, sent);
    }
}
