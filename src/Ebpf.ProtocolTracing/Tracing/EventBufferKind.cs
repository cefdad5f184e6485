namespace Ebpf.ProtocolTracing;

/// <summary>How events travel from the kernel to user space.</summary>
public enum EventBufferKind
{
    /// <summary>One BPF ring buffer shared by all CPUs (kernel 5.8 or later). The default.</summary>
    RingBuffer = 0,

    /// <summary>A perf event buffer per CPU: the fallback for kernels older than 5.8.</summary>
    PerfBuffer = 1,
}
