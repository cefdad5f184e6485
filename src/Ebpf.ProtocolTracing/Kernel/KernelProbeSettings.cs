namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>What the kernel side is told before its probes are attached.</summary>
/// <param name="Buffer">The kernel-to-user buffer the programs emit into.</param>
/// <param name="RingBufferBytes">Ring buffer size: a power of two multiple of the page size.</param>
/// <param name="PerfBufferPagesPerCpu">Perf buffer pages per CPU: a power of two.</param>
/// <param name="ChunkLimit">Payload bytes per data event, 1 to <see cref="KernelEventLayout.MaxChunk"/>.</param>
/// <param name="MaxChunks">Data events per syscall, 1 to <see cref="KernelEventLayout.MaxChunksPerSyscall"/>.</param>
/// <param name="ExcludedTgid">The tracer's own process id, never traced; <see langword="null"/> to trace it too.</param>
/// <param name="ProcessIds">Trace only these processes; empty traces every process.</param>
/// <param name="ForcedPorts">Ports (local or remote) whose connections are always captured.</param>
/// <param name="EnabledProtocolsMask">Bit <c>1 &lt;&lt; WellKnownProtocol</c> set: send that protocol's data.</param>
/// <param name="CaptureAll">Send the data of every TCP connection, whatever the kernel's guess.</param>
internal sealed record KernelProbeSettings(
    EventBufferKind Buffer,
    int RingBufferBytes,
    int PerfBufferPagesPerCpu,
    int ChunkLimit,
    int MaxChunks,
    int? ExcludedTgid,
    IReadOnlyCollection<int> ProcessIds,
    IReadOnlyCollection<int> ForcedPorts,
    ulong EnabledProtocolsMask,
    bool CaptureAll)
{
    /// <summary>Attach uprobes to the TLS libraries and executables processes use, for their plaintext.</summary>
    public bool TraceTls { get; init; }
}
