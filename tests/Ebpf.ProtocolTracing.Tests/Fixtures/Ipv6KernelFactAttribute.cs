using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>A kernel test that also needs the IPv6 loopback address; skipped, saying why, without it.</summary>
public sealed class Ipv6KernelFactAttribute : FactAttribute
{
    public Ipv6KernelFactAttribute()
    {
        Skip = KernelTestEnvironment.SkipReason
            ?? (FreeTcpPort.HasIpv6Loopback ? null : "this machine has no IPv6 loopback address (::1 cannot be bound)");
    }
}
