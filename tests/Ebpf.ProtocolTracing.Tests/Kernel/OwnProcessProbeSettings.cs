using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

/// <summary>
/// Probe settings for kernel tests: only this test process is traced (other work on the machine stays
/// out), and every connection's bytes are sent up whatever the protocol guess. Tests change what they
/// need with <c>with</c>.
/// </summary>
internal static class OwnProcessProbeSettings
{
    public static KernelProbeSettings Default { get; } = new(
        Buffer: EventBufferKind.RingBuffer,
        RingBufferBytes: 1 << 20,
        PerfBufferPagesPerCpu: 16,
        ChunkLimit: KernelEventLayout.MaxChunk,
        MaxChunks: 4,
        ExcludedTgid: null,
        ProcessIds: [Environment.ProcessId],
        ForcedPorts: [],
        EnabledProtocolsMask: ulong.MaxValue,
        CaptureAll: true);
}
