using System.Diagnostics;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// A traced client is SIGKILLed while its request waits for an answer. The tracer keeps running, both
/// ends of the connection leave its state, the unanswered request is reported as a record without a
/// response on each end, and a later exchange on another connection is traced correctly.
/// </summary>
/// <remarks>
/// A killed process's sockets are closed inside the kernel's exit path, where no syscall tracepoint
/// fires; the process-exit event closes the client's end instead, so its request is reported promptly,
/// long before <see cref="ProtocolTracingOptions.IdleTimeout"/> (a minute here) would have forgotten it.
/// The server's end is closed by a close() the tracer sees, so its report comes at once too.
/// </remarks>
[Collection("Kernel")]
public sealed class KilledMidRequestKernelTests
{
    private const int SigkillExitCode = 128 + 9;
    // Far beyond how long the test waits: only the process exit can close the killed client's end in time.
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(1);

    // The exit event is read on the reader's next poll and the close waits out the reorder window.
    private static readonly TimeSpan PromptlyAfterKill = TimeSpan.FromSeconds(5);

    [KernelFact]
    public async Task ClientKilledMidRequest_BothEndsAreForgotten_UnansweredRequestIsReported_LaterExchangeIsCorrect()
    {
        await using var server = StallingHttpServer.Start();
        using var victim = GatedProcess.Start("curl", "--silent", "--http1.1", "--noproxy", "*", "--max-time", "60", server.Url("/stall/victim"));
        using var survivor = GatedProcess.Start("curl", "--silent", "--show-error", "--fail", "--http1.1", "--noproxy", "*", "--max-time", "10", server.Url("/after/kill"));

        var options = new ProtocolTracingOptions
        {
            TraceTls = false,
            TraceOwnProcess = true,
            IdleTimeout = IdleTimeout,
            ConnectionStatsInterval = TimeSpan.FromMilliseconds(200),
        };
        options.Protocols.Add("http");
        options.ProcessIds.Add(victim.Pid);
        options.ProcessIds.Add(survivor.Pid);
        options.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(options);
        await using var stats = new ConnectionStatsRecorder(session.Tracer);
        await Task.Delay(options.ConnectionStatsInterval * 2); // the statistics reader is subscribed before the traffic

        victim.Release();
        await server.Received("/stall/victim").WaitAsync(TestTimeouts.Process);
        victim.Kill();
        var killed = Stopwatch.StartNew();
        var (exitCode, _, _) = await victim.WaitForExitAsync(TestTimeouts.Process);
        Assert.Equal(SigkillExitCode, exitCode);
        await server.Closed("/stall/victim").WaitAsync(TestTimeouts.Process);

        // The server's end (this process) read EOF and closed: its half exchange is reported now.
        var served = (await session.WaitForAsync<HttpRecord>(
            r => r.Pid == Environment.ProcessId && r.Target == "/stall/victim", 1, "the server's unanswered request"))[0];
        Assert.Equal(ConnectionRole.Server, served.Role);
        Assert.Equal("GET", served.Method);
        Assert.Null(served.StatusCode);
        Assert.Null(served.ResponseTime);
        Assert.NotNull(await stats.WaitForAsync(s => s.Closed && s.Connection.Id == served.Connection.Id, TestTimeouts.Records));

        // The killed client's end: no close() was made, the process exit closes it, with its request.
        var sent = (await session.WaitForAsync<HttpRecord>(r => r.Pid == victim.Pid, 1, "the killed client's unanswered request"))[0];
        var reportedAfter = killed.Elapsed;
        Assert.Equal("/stall/victim", sent.Target);
        Assert.Equal(ConnectionRole.Client, sent.Role);
        Assert.Equal("curl", sent.ProcessName);
        Assert.Null(sent.StatusCode);
        Assert.Null(sent.ResponseTime);
        Assert.Equal(server.Port, sent.RemoteEndPoint?.Port);
        var bound = PromptlyAfterKill;
        Assert.True(reportedAfter < bound, $"the killed client's connection was reported {reportedAfter.TotalSeconds:F1} s after the kill; bound {bound.TotalSeconds} s");
        var forgotten = await stats.WaitForAsync(s => s.Closed && s.Connection.Id == sent.Connection.Id, bound);
        Assert.True(forgotten is not null, $"the killed client's connection never left the tracker (no closing statistics within {bound.TotalSeconds} s)");
        Assert.True(forgotten.BytesSent > 0 && forgotten.BytesReceived == 0, $"sent {forgotten.BytesSent}, received {forgotten.BytesReceived}");
        Assert.Equal(0, TracerInternals.TrackedConnectionsOf(session.Tracer, victim.Pid));

        // The tracer is still whole: a new client on a new connection gets a complete, correct record.
        survivor.Release();
        var (survivorExit, body, error) = await survivor.WaitForExitAsync(TestTimeouts.Process);
        Assert.True(survivorExit == 0, $"curl after the kill failed ({survivorExit}): {error}");
        Assert.Equal(StallingHttpServer.OkBody, body);
        var after = (await session.WaitForAsync<HttpRecord>(r => r.Pid == survivor.Pid, 1, "the exchange after the kill"))[0];
        Assert.Equal("/after/kill", after.Target);
        Assert.Equal(200, after.StatusCode);
        Assert.False(after.DataLost);
        Assert.Equal(StallingHttpServer.OkBody, System.Text.Encoding.ASCII.GetString(after.ResponseBody.Span));
        Assert.NotEqual(sent.Connection.Id, after.Connection.Id);
        var afterServed = (await session.WaitForAsync<HttpRecord>(r => r.Pid == Environment.ProcessId && r.Target == "/after/kill", 1, "the server's side of it"))[0];
        Assert.Equal(200, afterServed.StatusCode);
        Assert.False(afterServed.DataLost);
    }
}
