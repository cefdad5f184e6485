using System.Diagnostics;
using Ebpf.ProtocolTracing.Kernel;
using Xunit.Abstractions;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

// The sched_process_exit program: one event when a traced process's last thread is gone, none for a
// thread that exits alone or for a process outside the pid filter.
[Collection("Kernel")]
public sealed class ProcessExitKernelTests(ITestOutputHelper output)
{
    private static KernelProbeSettings Settings(EventBufferKind buffer, params int[] pids) =>
        OwnProcessProbeSettings.Default with { Buffer = buffer, ProcessIds = pids, CaptureAll = false };

    [KernelTheory]
    [InlineData(EventBufferKind.RingBuffer)]
    [InlineData(EventBufferKind.PerfBuffer)]
    public async Task A_killed_traced_process_is_reported_once_and_threads_and_untraced_processes_are_not(EventBufferKind buffer)
    {
        using var traced = Process.Start("sleep", "60");
        using var untraced = Process.Start("sleep", "60");
        var sink = new RecordingKernelEventSink();
        using var probes = KernelProbes.Load(Settings(buffer, traced.Id, Environment.ProcessId), new TestOutputLogger(output));
        using var reader = probes.CreateReader(sink);
        using var polling = new PollingThread(reader);

        // A thread of this (traced) process ends: the process lives on, so nothing is reported for it.
        var thread = new Thread(() => { });
        thread.Start();
        thread.Join();
        untraced.Kill();
        await untraced.WaitForExitAsync();
        traced.Kill();
        await traced.WaitForExitAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!sink.ProcessExits.Any(e => e.Header.Conn.Tgid == (uint)traced.Id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        // Events are read in order for the ring buffer; the perf buffer's CPUs may lag a poll behind.
        await Task.Delay(300);
        var exits = sink.ProcessExits.ToArray();
        var exit = Assert.Single(exits, e => e.Header.Conn.Tgid == (uint)traced.Id);
        Assert.Equal(KernelEventKind.ProcessExit, exit.Header.Kind);
        Assert.Equal(-1, exit.Header.Conn.Fd);
        Assert.NotEqual(0UL, exit.ProcessStartNs);
        Assert.NotEqual(0UL, exit.Header.TimestampNs);
        Assert.DoesNotContain(exits, e => e.Header.Conn.Tgid == (uint)untraced.Id);
        Assert.DoesNotContain(exits, e => e.Header.Conn.Tgid == (uint)Environment.ProcessId);
    }
}
