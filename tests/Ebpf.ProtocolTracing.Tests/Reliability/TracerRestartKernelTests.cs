using System.Diagnostics;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// Starting and disposing the tracer many times in one process leaks nothing: the BPF programs, maps,
/// links and perf events it opened are all closed, file descriptors return to where they were, and
/// managed memory does not grow with each cycle.
/// </summary>
/// <remarks>
/// A cycle takes 1 to 5 s (loading and verifying the programs, detaching tracepoints), so the default
/// is 12 cycles; set PROTOCOL_TRACING_RESTART_CYCLES=50 (or more) for a longer soak.
/// </remarks>
[Collection("Kernel")]
public sealed class TracerRestartKernelTests
{
    private static readonly int Cycles =
        int.TryParse(Environment.GetEnvironmentVariable("PROTOCOL_TRACING_RESTART_CYCLES"), out var cycles) && cycles > 2 ? cycles : 12;

    [KernelFact]
    public async Task RepeatedStartDisposeCycles_LeakNoDescriptorsBpfObjectsOrMemory()
    {
        // The first cycle loads what stays loaded for good (libbpf, the embedded object, JIT): not a leak.
        await CycleAsync();
        var before = OwnResources.Read();
        var memoryBefore = ManagedMemoryAfterCollection();
        var clock = Stopwatch.StartNew();

        for (int i = 1; i < Cycles; i++)
        {
            var during = await CycleAsync();
            Assert.True(during.BpfPrograms > before.BpfPrograms, $"cycle {i}: the started tracer held no BPF program; the test would prove nothing");
        }

        var after = OwnResources.Read();
        var memoryAfter = ManagedMemoryAfterCollection();
        Assert.Equal(before.BpfPrograms, after.BpfPrograms);
        Assert.Equal(before.BpfMaps, after.BpfMaps);
        Assert.Equal(before.BpfLinks, after.BpfLinks);
        Assert.Equal(before.PerfEvents, after.PerfEvents);
        // Other descriptors may come and go with the runtime (thread pool, sockets of parallel tests in
        // other collections); a leak of one per cycle would show as ≥ 11.
        Assert.InRange(after.FileDescriptors, 0, before.FileDescriptors + 10);
        Assert.True(memoryAfter - memoryBefore < 16L * 1024 * 1024,
            $"managed memory grew by {(memoryAfter - memoryBefore) / 1024} KiB over {Cycles - 1} cycles ({clock.Elapsed.TotalSeconds:F1} s)");
    }

    private static async Task<OwnResources> CycleAsync()
    {
        var options = new ProtocolTracingOptions { TraceTls = false, RingBufferBytes = 64 * 1024 };
        options.ProcessIds.Add(Environment.ProcessId);
        options.TraceOwnProcess = true;
        var tracer = new ProtocolTracer(options);
        try
        {
            using var timer = new CancellationTokenSource(TestTimeouts.Attach);
            await tracer.StartAsync(timer.Token);
            await tracer.Attached.WaitAsync(timer.Token);
            return OwnResources.Read();
        }
        finally
        {
            await tracer.DisposeAsync();
        }
    }

    private static long ManagedMemoryAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
