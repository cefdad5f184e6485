using System.Globalization;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Xunit.Abstractions;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// Short-lived processes making requests while the tracer runs: hundreds started directly or through a
/// chain of execs (sh → sh → curl, one pid), whose records carry the pid that made them, the name it had
/// then and its own command line; and more forked children than the process table holds, which drops
/// each one as it exits.
/// </summary>
/// <remarks>
/// Each traced process's exit is a kernel event that drops it from the table once its records are built;
/// the capacity (least recently used first) remains the bound when exit events are lost.
/// </remarks>
[Collection("Kernel")]
public sealed class ExecExitChurnKernelTests(ITestOutputHelper output)
{
    private const int Rounds = 150;

    // ProcessMetadataCache's default capacity, which the tracker uses.
    private const int ProcessTableCapacity = 4096;

    // Forks one child per request, one at a time; each child connects, asks, reads the answer and exits.
    // Prints "pid index" per child.
    private const string ForkingClient = """
        import os, socket, sys
        port, count = int(sys.argv[1]), int(sys.argv[2])
        for i in range(count):
            pid = os.fork()
            if pid == 0:
                try:
                    s = socket.create_connection(("127.0.0.1", port))
                    s.sendall(b"GET /index.html?child=%d HTTP/1.1\r\nHost: churn\r\nConnection: close\r\n\r\n" % i)
                    while s.recv(4096):
                        pass
                    s.close()
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)
            print(pid, i)
        """;

    // Each round: a curl started in the background (its pid is $!), then a shell that logs its own pid
    // and execs a shell that execs curl, so curl runs under the first shell's pid.
    private const string Churn = """
        port=$1; rounds=$2; log=$3
        i=0
        while [ "$i" -lt "$rounds" ]; do
          curl -s -o /dev/null --noproxy '*' --http1.1 "http://127.0.0.1:$port/index.html?churn=direct-$i" &
          echo "$! direct-$i" >> "$log"
          wait $!
          TAG="chain-$i" LOG="$log" URL="http://127.0.0.1:$port/index.html?churn=chain-$i" \
            sh -c 'echo "$$ $TAG" >> "$LOG"; exec sh -c "exec curl -s -o /dev/null --noproxy \"*\" --http1.1 \"\$URL\""'
          i=$((i+1))
        done
        """;

    [KernelFact]
    public async Task ShortLivedProcessesAndExecChains_RecordsCarryTheirPidsNamesAndCommandLines()
    {
        await using var nginx = await NginxServer.StartAsync();
        var options = new ProtocolTracingOptions { TraceTls = false };
        options.Protocols.Add("http");
        await using var session = await TracingSession.StartAsync(options);
        var log = Path.Combine(Path.GetTempPath(), $"churn-{Guid.NewGuid():N}.log");
        try
        {
            var run = await ProcessRun.RunAsync("sh", ["-c", Churn, "churn", nginx.Port.ToString(CultureInfo.InvariantCulture), Rounds.ToString(CultureInfo.InvariantCulture), log], TimeSpan.FromSeconds(120));
            Assert.True(run.ExitCode == 0, $"the churn script failed ({run.ExitCode}): {run.StandardError}");
            var pidOf = File.ReadAllLines(log)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => $"/index.html?churn={parts[1]}", parts => int.Parse(parts[0], CultureInfo.InvariantCulture));
            Assert.Equal(2 * Rounds, pidOf.Count);
            Assert.Equal(2 * Rounds, pidOf.Values.Distinct().Count());

            // The host is traced as a whole (new pids cannot be named in advance), so other traffic may
            // make the kernel drop events: then each missing record must be matched by a counted loss.
            var (sent, served) = await CollectAsync(session, nginx, pidOf);
            var lost = session.Tracer.GetStatistics().KernelEventsLost;
            foreach (var (end, records) in new[] { ("client", sent), ("nginx", served) })
            {
                var shortfall = 2 * Rounds - records.Count;
                Assert.True(shortfall == 0 || (ulong)shortfall <= lost,
                    $"{end}: {records.Count} of {2 * Rounds} requests traced, but only {lost} kernel events were lost: {session.Tracer.GetStatistics()}");
                Assert.True(records.Count >= Rounds, $"{end}: only {records.Count} of {2 * Rounds} requests traced; too few to judge");
            }

            Assert.All(sent.Values, r =>
            {
                Assert.Equal(pidOf[r.Target!], r.Pid);
                Assert.Equal("curl", r.ProcessName);
                Assert.True(r.DataLost || r.StatusCode == 200, $"{r.Target}: status {r.StatusCode} without data loss");
            });
            Assert.All(served.Values, r => Assert.Equal(nginx.Pid, r.Pid));

            // What /proc told about a process (read at its first connection, if it still lived) is that
            // process's: curl's own command line, never the shell it was before the exec nor another pid's.
            var described = sent.Values.Where(r => r.Connection.Process.CommandLine is not null).ToList();
            Assert.All(described, r => Assert.Contains(r.Target!.Split('?')[1], r.Connection.Process.CommandLine!, StringComparison.Ordinal));
            // The executable is read after the command line: a process gone in between has none, never another's.
            Assert.All(described, r => Assert.True(r.Connection.Process.ExecutablePath is null || r.Connection.Process.ExecutablePath.EndsWith("/curl", StringComparison.Ordinal), r.Connection.Process.ExecutablePath));

            var cached = TracerInternals.CachedProcessIds(session.Tracer);
            output.WriteLine($"{2 * Rounds} processes traced, {described.Count} still alive when their command line was read; process table {cached.Count} entries, {cached.Count(pidOf.ContainsValue)} of them exited churn processes; {session.Tracer.GetStatistics()}");
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>
    /// More processes than the process table holds each open a connection and exit: each is dropped from
    /// the table at its exit (only one whose exit event was lost may stay), and every child's record still
    /// carries its pid.
    /// </summary>
    [KernelFact]
    public async Task MoreProcessesThanTheProcessTableHolds_ExitedOnesAreDropped()
    {
        const int Children = ProcessTableCapacity + 400;
        await using var nginx = await NginxServer.StartAsync();
        var options = new ProtocolTracingOptions { TraceTls = false };
        options.Protocols.Add("http");
        await using var session = await TracingSession.StartAsync(options);

        var run = await ProcessRun.RunAsync("python3", ["-c", ForkingClient, nginx.Port.ToString(CultureInfo.InvariantCulture), Children.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(120));
        Assert.True(run.ExitCode == 0, $"the forking client failed ({run.ExitCode}): {run.StandardError}");
        var pidOf = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => $"/index.html?child={parts[1]}", parts => int.Parse(parts[0], CultureInfo.InvariantCulture));
        Assert.Equal(Children, pidOf.Count);

        var (sent, _) = await CollectAsync(session, nginx, pidOf);
        var statistics = session.Tracer.GetStatistics();
        Assert.True(sent.Count == Children || (ulong)(Children - sent.Count) <= statistics.KernelEventsLost,
            $"{sent.Count} of {Children} children traced, but only {statistics.KernelEventsLost} kernel events were lost: {statistics}");
        Assert.All(sent.Values, r => Assert.Equal(pidOf[r.Target!], r.Pid));

        // The last children's exit events may still be on their way when their records are.
        var children = new HashSet<int>(pidOf.Values);
        var cached = TracerInternals.CachedProcessIds(session.Tracer);
        for (var waited = 0; waited < 50 && (ulong)cached.Count(children.Contains) > statistics.KernelEventsLost; waited++)
        {
            await Task.Delay(100);
            cached = TracerInternals.CachedProcessIds(session.Tracer);
            statistics = session.Tracer.GetStatistics();
        }

        var exitedStillCached = cached.Count(children.Contains);
        output.WriteLine($"{Children} children, {sent.Count} traced; process table {cached.Count} entries, {exitedStillCached} of them exited children; {statistics}");
        Assert.InRange(cached.Count, 0, ProcessTableCapacity);
        Assert.True((ulong)exitedStillCached <= statistics.KernelEventsLost,
            $"{exitedStillCached} exited children still in the process table, but only {statistics.KernelEventsLost} kernel events were lost: {statistics}");
    }

    private static async Task<(Dictionary<string, HttpRecord> Sent, Dictionary<string, HttpRecord> Served)> CollectAsync(
        TracingSession session, NginxServer nginx, Dictionary<string, int> pidOf)
    {
        var sent = new Dictionary<string, HttpRecord>();
        var served = new Dictionary<string, HttpRecord>();
        var deadline = DateTime.UtcNow + TestTimeouts.Records;
        var lastProgress = DateTime.UtcNow;
        int read = 0;
        while (DateTime.UtcNow < deadline && DateTime.UtcNow - lastProgress < TimeSpan.FromSeconds(5)
            && (sent.Count < pidOf.Count || served.Count < pidOf.Count))
        {
            var snapshot = session.Snapshot();
            for (; read < snapshot.Count; read++)
            {
                if (snapshot[read] is not HttpRecord { Target: { } target } http || !pidOf.ContainsKey(target))
                {
                    continue;
                }

                if (http.Pid == nginx.Pid)
                {
                    Assert.True(served.TryAdd(target, http), $"two nginx records for {target}");
                }
                else if (http.Role == ConnectionRole.Client && http.RemoteEndPoint?.Port == nginx.Port)
                {
                    Assert.True(sent.TryAdd(target, http), $"two client records for {target}");
                }

                lastProgress = DateTime.UtcNow;
            }

            await Task.Delay(50);
        }

        return (sent, served);
    }
}
