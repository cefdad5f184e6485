namespace Ebpf.ProtocolTracing;

/// <summary>
/// Identifies one connection for its whole life: the process, the file descriptor, and a generation
/// that changes whenever the descriptor is closed and reused, so two connections never merge.
/// </summary>
/// <param name="Pid">Process id (thread group id) that owns the descriptor.</param>
/// <param name="Fd">The socket's file descriptor in that process.</param>
/// <param name="Generation">Kernel monotonic time (ns) at which the connection was first tracked.</param>
public readonly record struct ConnectionId(int Pid, int Fd, ulong Generation)
{
    /// <inheritdoc />
    public override string ToString() => $"{Pid}:{Fd}:{Generation:x}";
}
