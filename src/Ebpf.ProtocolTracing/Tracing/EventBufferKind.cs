namespace Ebpf.ProtocolTracing;

/// <summary>How events travel from the kernel to user space.</summary>
public enum EventBufferKind
{
    /// <summary>One BPF ring buffer shared by all CPUs. The default.</summary>
    RingBuffer = 0,

    /// <summary>A perf event buffer per CPU, each read on its own: events of one CPU stay in order, and a burst on one CPU cannot take another's room.</summary>
    PerfBuffer = 1,
}
