namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>
/// Receives decoded kernel events from an event reader (live ring/perf buffer, or a replayed recording).
/// Called on the reader's single thread; the payload span is only valid during the call.
/// </summary>
internal interface IKernelEventSink
{
    void OnOpen(in OpenEvent e);

    void OnClose(in CloseEvent e);

    void OnData(in DataEvent e, ReadOnlySpan<byte> payload);

    /// <summary>
    /// One UDP datagram, whole (or cut at the capture limit). Sinks that predate datagrams ignore them;
    /// the tracker hands each one to its parser as a message of its own.
    /// </summary>
    void OnDatagram(in DatagramEvent e, ReadOnlySpan<byte> payload)
    {
    }

    /// <summary>
    /// A traced process exited: its sockets were closed by the kernel without close() syscalls, so no
    /// close events follow for them. Sinks that predate it ignore it; the tracker closes the process's connections.
    /// </summary>
    void OnProcessExit(in ProcessExitEvent e)
    {
    }

    /// <summary>The buffer reported <paramref name="count"/> events it had no room for (perf buffer's lost callback).</summary>
    void OnLost(ulong count);
}
