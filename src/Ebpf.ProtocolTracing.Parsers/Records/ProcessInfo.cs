namespace Ebpf.ProtocolTracing;

/// <summary>The process on one end of a traced connection.</summary>
/// <param name="Pid">Process id (thread group id).</param>
/// <param name="Name">Process name (the kernel's comm, at most 15 characters).</param>
/// <param name="StartTimeNs">Kernel boot-time ns at which the process started; with <paramref name="Pid"/> it identifies the process even after its pid is reused.</param>
public sealed record ProcessInfo(int Pid, string Name, ulong StartTimeNs)
{
    /// <summary>The command line, arguments separated by spaces; <see langword="null"/> when it could not be read (the process exited first, or a kernel thread).</summary>
    public string? CommandLine { get; init; }

    /// <summary>The executable's path (the target of <c>/proc/&lt;pid&gt;/exe</c>); <see langword="null"/> when it could not be read.</summary>
    public string? ExecutablePath { get; init; }

    /// <summary>The container the process runs in; <see langword="null"/> for a process on the host or when unknown.</summary>
    public ContainerInfo? Container { get; init; }

    /// <summary>A process known only by its pid.</summary>
    public static ProcessInfo FromPid(int pid) => new(pid, string.Empty, 0);
}
