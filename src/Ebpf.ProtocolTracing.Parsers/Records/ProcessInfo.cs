namespace Ebpf.ProtocolTracing;

/// <summary>The process on one end of a traced connection.</summary>
/// <param name="Pid">Process id (thread group id).</param>
/// <param name="Name">Process name (the kernel's comm, at most 15 characters).</param>
/// <param name="StartTimeNs">Kernel boot-time ns at which the process started; with <paramref name="Pid"/> it identifies the process even after its pid is reused.</param>
public sealed record ProcessInfo(int Pid, string Name, ulong StartTimeNs)
{
    /// <summary>A process known only by its pid.</summary>
    public static ProcessInfo FromPid(int pid) => new(pid, string.Empty, 0);
}
