namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>Tells the kernel side to stop sending a connection's data (user space gave up on it).</summary>
internal interface IConnectionControl
{
    /// <summary>Stops the kernel from sending data events of <paramref name="id"/>. Safe to call more than once.</summary>
    void Disable(ConnectionId id);
}
