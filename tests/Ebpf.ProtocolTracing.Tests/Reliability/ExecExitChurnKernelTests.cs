using System.Globalization;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Metadata;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Xunit.Abstractions;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// Hundreds of short-lived processes, some started directly and some through a chain of execs (sh → sh →
/// curl, one pid), each make one request while the tracer runs: every request is traced once, under the
/// pid that made it and the name it had then, and the tracer's process table drops exited processes and
/// stays within its capacity.
/// </summary>
[Collection("Kernel")]
public sealed class ExecExitChurnKernelTests(ITestOutputHelper output)
{
    private const int Rounds = 150;

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
    public async Task ShortLivedProcessesAndExecChains_RecordsCarryTheirPidsAndNames_ProcessTableStaysBounded()
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

            var sent = await session.WaitForAsync<HttpRecord>(
                r => r.Role == ConnectionRole.Client && r.RemoteEndPoint?.Port == nginx.Port && r.Target is not null && pidOf.ContainsKey(r.Target),
                2 * Rounds, "one client record per short-lived process");
            var served = await session.WaitForAsync<HttpRecord>(
                r => r.Pid == nginx.Pid && r.Target is not null && pidOf.ContainsKey(r.Target), 2 * Rounds, "nginx's side of each");

            Assert.Equal(2 * Rounds, sent.Select(r => r.Target).Distinct().Count());
            Assert.Equal(2 * Rounds, served.Select(r => r.Target).Distinct().Count());
            Assert.All(sent, r =>
            {
                Assert.Equal(pidOf[r.Target!], r.Pid);
                Assert.Equal("curl", r.ProcessName);
                Assert.Equal(200, r.StatusCode);
                Assert.False(r.DataLost);
            });

            // Exited processes leave the table (a sweep every 64 new entries checks the 8 least recently
            // used), and it never holds more than its capacity whatever runs on the host.
            var cached = TracerInternals.CachedProcessIds(session.Tracer);
            var churnStillCached = cached.Count(pidOf.ContainsValue);
            output.WriteLine($"{2 * Rounds} processes traced; process table {cached.Count} entries, {churnStillCached} of them churned processes; {session.Tracer.GetStatistics()}");
            Assert.True(churnStillCached < 2 * Rounds,
                $"all {2 * Rounds} exited processes are still in the process table ({cached.Count} entries): nothing was swept");
            Assert.InRange(cached.Count, 0, 4096);
            Assert.Equal(ProcessMetadataCache.SweepEvery, 64); // the arithmetic above assumes it
        }
        finally
        {
            File.Delete(log);
        }
    }
}
