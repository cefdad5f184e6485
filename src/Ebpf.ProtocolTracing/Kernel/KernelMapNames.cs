namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>The names of the BPF maps user space touches (native/bpf/include/maps.h).</summary>
internal static class KernelMapNames
{
    public const string RingBuffer = "events";
    public const string PerfEvents = "perf_events";
    public const string Config = "config";
    public const string PidFilter = "pid_filter";
    public const string ForcedPorts = "forced_ports";
    public const string Disabled = "disabled";
    public const string Counters = "counters";
}
