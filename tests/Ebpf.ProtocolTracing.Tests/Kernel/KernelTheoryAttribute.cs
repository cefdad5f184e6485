namespace Ebpf.ProtocolTracing.Tests.Kernel;

/// <summary>A theory that loads BPF programs into the running kernel; skipped like <see cref="KernelFactAttribute"/>.</summary>
public sealed class KernelTheoryAttribute : TheoryAttribute
{
    public KernelTheoryAttribute()
    {
        Skip = KernelTestEnvironment.SkipReason;
    }
}
