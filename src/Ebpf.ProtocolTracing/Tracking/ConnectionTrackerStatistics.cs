namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>
/// Counters of the connection tracker. Written only by the tracker's thread, readable from any thread
/// (each value is read atomically; values read together are not a consistent snapshot).
/// </summary>
internal sealed class ConnectionTrackerStatistics
{
    private long _eventsRead;
    private long _eventsLostReported;
    private long _gapBytes;
    private long _resyncSkippedBytes;
    private long _bytesDroppedOverMemoryCap;
    private long _bytesDroppedUnparsed;
    private long _bytesNotCaptured;
    private long _connectionsTracked;
    private long _connectionsOpened;
    private long _connectionsClosed;
    private long _connectionsExpired;
    private long _connectionsEvicted;
    private long _recordsProduced;
    private long _parseFailures;
    private long _connectionsDisabled;
    private long _egressBytes;
    private long _ingressBytes;

    /// <summary>Kernel events handed to the tracker.</summary>
    public ulong EventsRead => (ulong)Volatile.Read(ref _eventsRead);

    /// <summary>Events the event buffer reported lost to the tracker (perf buffer's lost callback).</summary>
    public ulong EventsLostReported => (ulong)Volatile.Read(ref _eventsLostReported);

    /// <summary>
    /// Stream bytes no parser saw of connections the kernel sent bytes of: beyond the capture limit, lost, or
    /// missing at close or after the reorder window.
    /// </summary>
    public ulong GapBytes => (ulong)Volatile.Read(ref _gapBytes);

    /// <summary>Bytes dropped while resynchronising after a gap or invalid data.</summary>
    public ulong ResyncSkippedBytes => (ulong)Volatile.Read(ref _resyncSkippedBytes);

    /// <summary>Bytes dropped because a connection or all connections went over their memory cap.</summary>
    public ulong BytesDroppedOverMemoryCap => (ulong)Volatile.Read(ref _bytesDroppedOverMemoryCap);

    /// <summary>Bytes dropped because their connection matched no parser, or stopped or failed being parsed.</summary>
    public ulong BytesDroppedUnparsed => (ulong)Volatile.Read(ref _bytesDroppedUnparsed);

    /// <summary>
    /// Stream bytes of closed connections the kernel sent none of, because it recognised no enabled protocol
    /// in them: left in the kernel by design, not lost.
    /// </summary>
    public ulong BytesNotCaptured => (ulong)Volatile.Read(ref _bytesNotCaptured);

    /// <summary>Connections tracked now.</summary>
    public long ConnectionsTracked => Volatile.Read(ref _connectionsTracked);

    /// <summary>Connections the tracker started tracking (from an open event or from their first data).</summary>
    public ulong ConnectionsOpened => (ulong)Volatile.Read(ref _connectionsOpened);

    /// <summary>Connections forgotten for any reason (closed, idle, evicted, shut down).</summary>
    public ulong ConnectionsClosed => (ulong)Volatile.Read(ref _connectionsClosed);

    /// <summary>Connections forgotten because they were idle longer than the idle timeout.</summary>
    public ulong ConnectionsExpired => (ulong)Volatile.Read(ref _connectionsExpired);

    /// <summary>Connections forgotten to stay within the connection limit.</summary>
    public ulong ConnectionsEvicted => (ulong)Volatile.Read(ref _connectionsEvicted);

    /// <summary>Records the parsers produced.</summary>
    public ulong RecordsProduced => (ulong)Volatile.Read(ref _recordsProduced);

    /// <summary>Times a parser reported invalid bytes or threw.</summary>
    public ulong ParseFailures => (ulong)Volatile.Read(ref _parseFailures);

    /// <summary>Connections given up on: no parser matched, the parser stopped, or it threw.</summary>
    public ulong ConnectionsDisabled => (ulong)Volatile.Read(ref _connectionsDisabled);

    /// <summary>Stream bytes sent by traced processes that events covered (captured or not).</summary>
    public ulong EgressBytes => (ulong)Volatile.Read(ref _egressBytes);

    /// <summary>Stream bytes received by traced processes that events covered (captured or not).</summary>
    public ulong IngressBytes => (ulong)Volatile.Read(ref _ingressBytes);

    // Single writer: a plain read-modify-write published with a volatile store is enough and avoids
    // a locked instruction per event.
    internal void AddEventsRead() => Volatile.Write(ref _eventsRead, _eventsRead + 1);

    internal void AddEventsLostReported(ulong count) => Volatile.Write(ref _eventsLostReported, _eventsLostReported + (long)count);

    internal void AddGapBytes(long count) => Volatile.Write(ref _gapBytes, _gapBytes + count);

    internal void AddResyncSkippedBytes(long count) => Volatile.Write(ref _resyncSkippedBytes, _resyncSkippedBytes + count);

    internal void AddBytesDroppedOverMemoryCap(long count) => Volatile.Write(ref _bytesDroppedOverMemoryCap, _bytesDroppedOverMemoryCap + count);

    internal void AddBytesDroppedUnparsed(long count) => Volatile.Write(ref _bytesDroppedUnparsed, _bytesDroppedUnparsed + count);

    internal void AddBytesNotCaptured(long count) => Volatile.Write(ref _bytesNotCaptured, _bytesNotCaptured + count);

    internal void SetConnectionsTracked(int count) => Volatile.Write(ref _connectionsTracked, count);

    internal void AddConnectionOpened() => Volatile.Write(ref _connectionsOpened, _connectionsOpened + 1);

    internal void AddConnectionClosed() => Volatile.Write(ref _connectionsClosed, _connectionsClosed + 1);

    internal void AddConnectionExpired() => Volatile.Write(ref _connectionsExpired, _connectionsExpired + 1);

    internal void AddConnectionEvicted() => Volatile.Write(ref _connectionsEvicted, _connectionsEvicted + 1);

    internal void AddRecordProduced() => Volatile.Write(ref _recordsProduced, _recordsProduced + 1);

    internal void AddParseFailure() => Volatile.Write(ref _parseFailures, _parseFailures + 1);

    internal void AddConnectionDisabled() => Volatile.Write(ref _connectionsDisabled, _connectionsDisabled + 1);

    internal void AddStreamBytes(StreamDirection direction, long count)
    {
        if (direction == StreamDirection.Egress)
        {
            Volatile.Write(ref _egressBytes, _egressBytes + count);
        }
        else
        {
            Volatile.Write(ref _ingressBytes, _ingressBytes + count);
        }
    }
}
