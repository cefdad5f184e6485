namespace Ebpf.ProtocolTracing.Tests.Kernel;

/// <summary>
/// A fact that loads BPF programs into the running kernel. Skipped, with the reason, only when this
/// machine cannot load them at all: not root, or a kernel without BTF.
/// </summary>
public sealed class KernelFactAttribute : FactAttribute
{
    public KernelFactAttribute()
    {
        Skip = KernelTestEnvironment.SkipReason;
    }
}

/// <summary>Whether this machine can run the tests that load BPF programs.</summary>
public static class KernelTestEnvironment
{
    /// <summary>Why kernel tests cannot run here, or <see langword="null"/> when they can.</summary>
    public static string? SkipReason { get; } = FindSkipReason();

    private static string? FindSkipReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "BPF needs Linux";
        }

        // Environment.IsPrivilegedProcess is geteuid() == 0 on Linux.
        if (!Environment.IsPrivilegedProcess)
        {
            return "loading BPF programs needs root (geteuid() != 0)";
        }

        if (!File.Exists("/sys/kernel/btf/vmlinux"))
        {
            return "the kernel has no BTF (/sys/kernel/btf/vmlinux is missing; built without CONFIG_DEBUG_INFO_BTF)";
        }

        return null;
    }
}

/// <summary>Tests that load BPF programs share the kernel and must not run at the same time.</summary>
[CollectionDefinition("Kernel", DisableParallelization = true)]
public sealed class KernelTestGroup
{
}
