namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>The kernel side's counters, summed over all CPUs.</summary>
/// <param name="EventsSent">Events handed to the ring/perf buffer.</param>
/// <param name="EventsLost">Events the buffer had no room for.</param>
/// <param name="BytesLost">Payload bytes inside lost data events.</param>
/// <param name="ConnectionsOpened">Connections the kernel side started tracking.</param>
/// <param name="ConnectionTableFull">Connections not tracked because the kernel's connection table was full.</param>
internal readonly record struct KernelCounters(
    ulong EventsSent,
    ulong EventsLost,
    ulong BytesLost,
    ulong ConnectionsOpened,
    ulong ConnectionTableFull);
