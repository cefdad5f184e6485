namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>What the tracker knows about one connection at a moment: identity, protocol and byte counts.</summary>
/// <param name="Connection">The connection (endpoints, process, role).</param>
/// <param name="Protocol">The name of the parser chosen for it; <see langword="null"/> while undecided or when none matched.</param>
/// <param name="BytesSent">Stream bytes the traced process sent that events covered (including uncaptured ones).</param>
/// <param name="BytesReceived">Stream bytes the traced process received that events covered (including uncaptured ones).</param>
/// <param name="LastActivityNs">Kernel monotonic time (ns) of the connection's latest event.</param>
/// <param name="Reported">Whether an earlier statistics interval reported the connection.</param>
/// <param name="ReportedBytesSent"><paramref name="BytesSent"/> as the statistics last reported it.</param>
/// <param name="ReportedBytesReceived"><paramref name="BytesReceived"/> as the statistics last reported it.</param>
internal readonly record struct ConnectionSnapshot(
    ConnectionInfo Connection,
    string? Protocol,
    ulong BytesSent,
    ulong BytesReceived,
    ulong LastActivityNs,
    bool Reported = false,
    ulong ReportedBytesSent = 0,
    ulong ReportedBytesReceived = 0);
