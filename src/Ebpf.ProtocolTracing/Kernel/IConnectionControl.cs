namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>Tells the kernel side to stop sending a connection's data (user space gave up on it).</summary>
internal interface IConnectionControl
{
    /// <summary>Stops the kernel from sending data events of <paramref name="id"/>. Safe to call more than once.</summary>
    /// <param name="id">The connection.</param>
    /// <param name="encrypted">
    /// Whether it is the TLS plaintext stream that was given up on, rather than the socket's bytes: a TLS
    /// connection's two streams share one kernel key, and giving up on one must not silence the other.
    /// </param>
    void Disable(ConnectionId id, bool encrypted);
}
