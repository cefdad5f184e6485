namespace Ebpf.ProtocolTracing.Tests.Kernel;

/// <summary>Counts this process's open fds that BPF loading and buffer reading create.</summary>
internal static class KernelFileDescriptors
{
    private static readonly string[] KernelObjectKinds =
        ["anon_inode:bpf-map", "anon_inode:bpf-prog", "anon_inode:bpf_link", "anon_inode:btf", "anon_inode:[perf_event]", "anon_inode:[eventpoll]"];

    public static int Count()
    {
        var count = 0;
        foreach (var path in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(path).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed while enumerating
            }

            if (target is not null && Array.Exists(KernelObjectKinds, kind => target.StartsWith(kind, StringComparison.Ordinal)))
            {
                count++;
            }
        }

        return count;
    }
}
