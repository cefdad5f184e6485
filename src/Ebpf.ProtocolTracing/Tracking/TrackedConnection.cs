using System.Net;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>Where a tracked connection is in its life.</summary>
internal enum TrackedConnectionState : byte
{
    /// <summary>No parser chosen yet; bytes are buffered for inference.</summary>
    Undecided = 0,

    /// <summary>A parser is fed the connection's bytes.</summary>
    Parsing = 1,

    /// <summary>Given up on (no protocol matched, the parser stopped or failed): data is dropped.</summary>
    Ignored = 2,

    /// <summary>Completed and forgotten.</summary>
    Finished = 3,
}

/// <summary>
/// One connection as the tracker sees it: what is known about it, its two streams, its parser, and
/// its place in the least-recently-active list. Also the parser's <see cref="IParseContext"/>.
/// </summary>
internal sealed class TrackedConnection : IParseContext
{
    private readonly ConnectionTracker _tracker;

    public TrackedConnection(ConnectionTracker tracker, TrackedConnectionKey key, ConnectionInfo connection, TrackerMemory memory)
    {
        _tracker = tracker;
        Key = key;
        Connection = connection;
        Egress = new TrackedStream(StreamDirection.Egress, memory);
        Ingress = new TrackedStream(StreamDirection.Ingress, memory);
    }

    public ConnectionId Id => Key.Id;

    /// <summary>The kernel connection and which of its streams (socket bytes or TLS plaintext) this is.</summary>
    public TrackedConnectionKey Key { get; }

    /// <inheritdoc />
    public ConnectionInfo Connection { get; set; }

    /// <summary>Whether an open event told the endpoints and the process.</summary>
    public bool HasOpenInfo { get; set; }

    public TrackedConnectionState State { get; set; }

    /// <summary>The kernel's latest protocol guess for the connection.</summary>
    public WellKnownProtocol KernelProtocol { get; set; }

    public IProtocolParser? Protocol { get; set; }

    public IConnectionParser? Parser { get; set; }

    public TrackedStream Egress { get; }

    public TrackedStream Ingress { get; }

    /// <summary>Whether the close event said the kernel sent up (or tried to) data events of this connection.</summary>
    public bool KernelSentData { get; set; }

    /// <summary>
    /// Whether the kernel kept all of this connection's bytes by design: it recognised no enabled protocol in
    /// them, so no data event was sent (rather than sent and lost).
    /// </summary>
    public bool NeverSentUp => !KernelSentData && Egress.FirstTimestampNs == 0 && Ingress.FirstTimestampNs == 0;

    /// <summary>Data events seen while no parser was chosen.</summary>
    public int UndecidedEvents { get; set; }

    /// <summary>Kernel time of the latest event.</summary>
    public ulong LastActivityNs { get; set; }

    // Least-recently-active list: the head is the most recent.
    public TrackedConnection? Newer { get; set; }

    public TrackedConnection? Older { get; set; }

    // The connections of the same process (a list per pid), so a process exit closes them without a scan.
    public TrackedConnection? NextOfProcess { get; set; }

    public TrackedConnection? PreviousOfProcess { get; set; }

    /// <summary>In the tracker's list of connections with held data or a pending close.</summary>
    public bool InTimerList { get; set; }

    /// <summary>A close event arrived; the connection finishes once its streams are complete or the reorder window passes.</summary>
    public bool CloseRequested { get; set; }

    public ulong CloseRequestedNs { get; set; }

    public long FinalEgressLength { get; set; }

    public long FinalIngressLength { get; set; }

    /// <summary>A parser failure was already logged for this connection.</summary>
    public bool FailureLogged { get; set; }

    /// <summary>A UDP socket: data arrives as datagrams, positions count datagrams.</summary>
    public bool IsDatagram { get; set; }

    /// <inheritdoc />
    public IPEndPoint? CurrentPeer { get; set; }

    /// <summary>A connection-statistics interval reported the connection.</summary>
    public bool StatsReported { get; set; }

    /// <summary>Bytes sent as the statistics last reported them.</summary>
    public ulong StatsReportedBytesSent { get; set; }

    /// <summary>Bytes received as the statistics last reported them.</summary>
    public ulong StatsReportedBytesReceived { get; set; }

    public TrackedStream Stream(StreamDirection direction) => direction == StreamDirection.Egress ? Egress : Ingress;

    /// <inheritdoc />
    public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition)
        => _tracker.Clock.ToDateTimeOffset(Stream(direction).TimeAt(streamPosition, LastActivityNs));

    /// <inheritdoc />
    public void Emit(ProtocolRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _tracker.EmitRecord(record);
    }
}
