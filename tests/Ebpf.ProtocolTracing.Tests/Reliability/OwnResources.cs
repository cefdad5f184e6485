namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>What this process holds: open file descriptors, and among them BPF programs, maps and links.</summary>
internal readonly record struct OwnResources(int FileDescriptors, int BpfPrograms, int BpfMaps, int BpfLinks, int PerfEvents)
{
    public static OwnResources Read()
    {
        int fds = 0, programs = 0, maps = 0, links = 0, perf = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            fds++;
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                // Closed between listing and reading: it was the enumeration's own descriptor.
                continue;
            }

            switch (target)
            {
                case "anon_inode:bpf-prog":
                    programs++;
                    break;
                case "anon_inode:bpf-map":
                    maps++;
                    break;
                case "anon_inode:bpf_link":
                    links++;
                    break;
                case "anon_inode:[perf_event]":
                    perf++;
                    break;
            }
        }

        return new OwnResources(fds, programs, maps, links, perf);
    }
}
