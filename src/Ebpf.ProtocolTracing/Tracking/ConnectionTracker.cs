using System.Buffers;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Parsing;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>
/// Turns kernel events into per-connection byte streams and feeds them to protocol parsers: places
/// data by stream position (so reordering is harmless and gaps are exact), picks each connection's
/// parser, resyncs after gaps, and completes closed, idle and evicted connections within memory caps.
/// </summary>
/// <remarks>
/// Single-threaded: every member is called on the event reader's thread, except
/// <see cref="Statistics"/>, which any thread may read.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "PayloadMemory holds no resource; it only points at payloads pinned for one call.")]
internal sealed partial class ConnectionTracker : IKernelEventSink
{
    // Give up on a connection no parser recognised after this many bytes in a direction...
    private const long InferenceByteLimit = 1024;

    // ...or after this many data events.
    private const int InferenceEventLimit = 8;

    // After TryFindFrameStart finds nothing, keep this many trailing bytes: a frame start may straddle
    // events, and a finder confirms a start only once it is whole (HTTP/1.x: the complete start line), so
    // the tail must hold the longest start worth finding. 8 KiB is the longest request line nginx accepts
    // by default; each event while resyncing rescans at most this much.
    private const int ResyncTailBytes = 8 * 1024;

    // Late events of a connection that just finished are dropped instead of starting a new one.
    private const int RecentlyFinishedCapacity = 4096;

    // A connection quiet this long gives back what its parser keeps only for speed: with thousands of
    // idle keep-alive connections that is most of their memory; a busy one is never trimmed.
    private const ulong IdleTrimNs = 1_000_000_000;

    private readonly ParserRegistry _registry;
    private readonly Action<ProtocolRecord> _emit;
    private readonly IConnectionControl? _control;
    private readonly ILogger? _logger;
    private readonly long _maxBufferedPerStream;
    private readonly long _maxBufferedTotal;
    private readonly int _maxConnections;
    private readonly ulong _idleTimeoutNs;
    private readonly ulong _reorderWindowNs;

    private readonly Dictionary<TrackedConnectionKey, TrackedConnection> _connections = new();
    private readonly List<TrackedConnection> _timed = new();
    private readonly HashSet<TrackedConnectionKey> _recentlyFinished = new();
    private readonly Queue<TrackedConnectionKey> _recentlyFinishedOrder = new();
    private readonly TrackerMemory _memory = new();
    private readonly ConnectionInfoFactory _infoFactory = new();
    private readonly PayloadMemory _payloadMemory = new();

    private TrackedConnection? _newest;
    private TrackedConnection? _oldest;

    // Every connection older than this one in the activity list was trimmed while idle (null: none).
    private TrackedConnection? _trimmedBoundary;
    private ulong _nowNs;

    /// <summary>Creates a tracker.</summary>
    /// <param name="registry">The parsers; narrowed to <see cref="ProtocolTracingOptions.Protocols"/> when that is not empty.</param>
    /// <param name="options">Limits, timeouts and the protocol filter.</param>
    /// <param name="emit">Receives every record the parsers produce, on the tracker's thread.</param>
    /// <param name="clock">Converts kernel timestamps for <see cref="IParseContext.TimeAt"/>.</param>
    /// <param name="control">Tells the kernel to stop sending connections the tracker gave up on.</param>
    /// <param name="logger">Reports parser failures.</param>
    public ConnectionTracker(
        ParserRegistry registry,
        ProtocolTracingOptions options,
        Action<ProtocolRecord> emit,
        KernelClock clock,
        IConnectionControl? control = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(emit);
        ArgumentNullException.ThrowIfNull(clock);

        _registry = options.Protocols.Count == 0 ? registry : Narrow(registry, options.Protocols);
        _emit = emit;
        Clock = clock;
        _control = control;
        _logger = logger;
        _maxBufferedPerStream = Math.Max(1, options.MaxBufferedBytesPerConnection);
        _maxBufferedTotal = Math.Max(1, options.MaxBufferedBytesTotal);
        _maxConnections = Math.Max(1, options.MaxConnections);
        _idleTimeoutNs = ToNanoseconds(options.IdleTimeout);
        _reorderWindowNs = ToNanoseconds(options.ReorderWindow);
    }

    /// <summary>The tracker's counters; readable from any thread.</summary>
    public ConnectionTrackerStatistics Statistics { get; } = new();

    /// <summary>The clock that converts kernel timestamps.</summary>
    public KernelClock Clock { get; }

    /// <summary>Bytes buffered or held by all connections now.</summary>
    public long BufferedBytes => _memory.BufferedBytes;

    /// <summary>Connections tracked now.</summary>
    public int ConnectionCount => _connections.Count;

    /// <inheritdoc />
    public void OnOpen(in OpenEvent e)
    {
        Statistics.AddEventsRead();
        var timestamp = e.Header.TimestampNs;
        Observe(timestamp);
        var id = e.Header.Conn.ToConnectionId();
        if (_connections.TryGetValue(new TrackedConnectionKey(id, Encrypted: true), out var plaintext))
        {
            // The TLS plaintext outran its open event: fill in what only the open event knows.
            plaintext.Connection = _infoFactory.FromOpenEvent(e, encrypted: true);
            plaintext.HasOpenInfo = true;
            Touch(plaintext, timestamp);
            return;
        }

        var key = new TrackedConnectionKey(id, Encrypted: false);
        if (_connections.TryGetValue(key, out var connection))
        {
            // The data outran its open event: fill in what only the open event knows.
            connection.Connection = _infoFactory.FromOpenEvent(e, encrypted: false);
            connection.HasOpenInfo = true;
            Touch(connection, timestamp);
            return;
        }

        if (_recentlyFinished.Contains(key))
        {
            return;
        }

        connection = Create(key, _infoFactory.FromOpenEvent(e, encrypted: false), timestamp);
        connection.HasOpenInfo = true;
    }

    /// <inheritdoc />
    public void OnClose(in CloseEvent e)
    {
        Statistics.AddEventsRead();
        var timestamp = e.Header.TimestampNs;
        Observe(timestamp);
        var id = e.Header.Conn.ToConnectionId();
        if (_connections.TryGetValue(new TrackedConnectionKey(id, Encrypted: true), out var plaintext))
        {
            // The close event counts socket bytes; the plaintext's final lengths are whatever arrived.
            Touch(plaintext, timestamp);
            plaintext.CloseRequested = true;
            plaintext.CloseRequestedNs = timestamp;
            TryFinishClose(plaintext);
        }

        if (!_connections.TryGetValue(new TrackedConnectionKey(id, Encrypted: false), out var connection))
        {
            return;
        }

        Touch(connection, timestamp);
        connection.CloseRequested = true;
        connection.CloseRequestedNs = timestamp;
        // A UDP socket's counts are datagrams, some never sent up: there is no stream end to wait for.
        connection.FinalEgressLength = connection.IsDatagram ? 0 : (long)Math.Min(e.BytesSent, long.MaxValue);
        connection.FinalIngressLength = connection.IsDatagram ? 0 : (long)Math.Min(e.BytesReceived, long.MaxValue);
        connection.KernelSentData = (e.Header.Flags & KernelEventFlags.DataSent) != 0;
        TryFinishClose(connection);
    }

    /// <inheritdoc />
    public void OnData(in DataEvent e, ReadOnlySpan<byte> payload)
    {
        Statistics.AddEventsRead();
        if ((byte)e.Direction > (byte)StreamDirection.Ingress)
        {
            return;
        }

        var timestamp = e.Header.TimestampNs;
        Observe(timestamp);
        var id = e.Header.Conn.ToConnectionId();
        var captured = (int)Math.Min((uint)payload.Length, e.CapturedLength);
        payload = payload[..captured];
        long original = Math.Max(e.OriginalLength, (uint)captured);
        Statistics.AddStreamBytes(e.Direction, original);

        var encrypted = (e.Header.Flags & KernelEventFlags.Encrypted) != 0;
        var key = new TrackedConnectionKey(id, encrypted);
        if (!_connections.TryGetValue(key, out var connection))
        {
            if (_recentlyFinished.Contains(key) || (!encrypted && IsTls(id)))
            {
                // Socket bytes of a TLS connection are ciphertext: only its plaintext is parsed.
                Statistics.AddBytesDroppedUnparsed(captured);
                return;
            }

            connection = Create(key, encrypted ? StartPlaintext(id) : ConnectionInfoFactory.FromId(id, encrypted: false), timestamp);
        }
        else
        {
            Touch(connection, timestamp);
        }

        if (e.Header.Protocol != 0)
        {
            connection.KernelProtocol = (WellKnownProtocol)e.Header.Protocol;
        }

        if (connection.State == TrackedConnectionState.Ignored)
        {
            Statistics.AddBytesDroppedUnparsed(captured);
            return;
        }

        var stream = connection.Stream(e.Direction);
        if (stream.FirstTimestampNs == 0)
        {
            stream.FirstTimestampNs = timestamp;
        }

        Place(connection, stream, (long)Math.Min(e.Position, long.MaxValue), payload, original, timestamp);

        if (connection.State is TrackedConnectionState.Parsing or TrackedConnectionState.Undecided)
        {
            ExpireHeld(connection, connection.Egress, _nowNs, everything: false);
            ExpireHeld(connection, connection.Ingress, _nowNs, everything: false);
        }

        if (connection.CloseRequested)
        {
            TryFinishClose(connection);
        }

        if (_memory.BufferedBytes > _maxBufferedTotal)
        {
            ShedLargestBuffers();
        }
    }

    /// <inheritdoc />
    public void OnLost(ulong count) => Statistics.AddEventsLostReported(count);

    /// <summary>
    /// Advances time with no event: declares gaps whose reorder window passed, finishes closed
    /// connections waiting for late data, and completes idle connections. Call every ~100 ms.
    /// </summary>
    /// <param name="nowMonotonicNs">The monotonic clock now (<see cref="KernelClock.NowMonotonicNs"/>).</param>
    public void Tick(ulong nowMonotonicNs)
    {
        Observe(nowMonotonicNs);
        var now = _nowNs;

        for (var i = _timed.Count - 1; i >= 0; i--)
        {
            var connection = _timed[i];
            if (connection.State is TrackedConnectionState.Parsing or TrackedConnectionState.Undecided)
            {
                ExpireHeld(connection, connection.Egress, now, everything: false);
                ExpireHeld(connection, connection.Ingress, now, everything: false);
            }

            if (connection.CloseRequested && connection.State != TrackedConnectionState.Finished)
            {
                TryFinishClose(connection);
            }

            if (connection.State == TrackedConnectionState.Finished
                || (!connection.CloseRequested && connection.Egress.HeldCount == 0 && connection.Ingress.HeldCount == 0))
            {
                connection.InTimerList = false;
                var last = _timed.Count - 1;
                _timed[i] = _timed[last];
                _timed.RemoveAt(last);
            }
        }

        while (_oldest is not null && now > _oldest.LastActivityNs && now - _oldest.LastActivityNs > _idleTimeoutNs)
        {
            Statistics.AddConnectionExpired();
            Finish(_oldest, closing: false);
        }

        TrimIdleConnections(now);
    }

    /// <summary>Completes every connection (shutdown): whatever each parser can still emit is emitted.</summary>
    public void CompleteAll()
    {
        while (_oldest is not null)
        {
            Finish(_oldest, closing: false);
        }

        _timed.Clear();
    }

    /// <summary>Per-connection byte counts and protocols, for a connection-statistics stream. Tracker thread only.</summary>
    /// <param name="markReported">
    /// Remember each connection's byte counts as reported, so the next snapshot tells them in
    /// <see cref="ConnectionSnapshot.ReportedBytesSent"/> and <see cref="ConnectionSnapshot.ReportedBytesReceived"/>
    /// (kept on the connection, not in a table beside it).
    /// </param>
    public IEnumerable<ConnectionSnapshot> SnapshotConnections(bool markReported = false)
    {
        for (var connection = _newest; connection is not null; connection = connection.Older)
        {
            var snapshot = new ConnectionSnapshot(
                connection.Connection,
                connection.Protocol?.Name,
                (ulong)connection.Egress.Next,
                (ulong)connection.Ingress.Next,
                connection.LastActivityNs,
                connection.StatsReported,
                connection.StatsReportedBytesSent,
                connection.StatsReportedBytesReceived);
            if (markReported)
            {
                connection.StatsReported = true;
                connection.StatsReportedBytesSent = snapshot.BytesSent;
                connection.StatsReportedBytesReceived = snapshot.BytesReceived;
            }

            yield return snapshot;
        }
    }

    /// <summary>Counts and forwards a record a parser produced.</summary>
    internal void EmitRecord(ProtocolRecord record)
    {
        Statistics.AddRecordProduced();
        _emit(record);
    }

    private static ParserRegistry Narrow(ParserRegistry registry, ISet<string> protocols)
    {
        var parsers = new List<IProtocolParser>();
        foreach (var parser in registry.Parsers)
        {
            if (protocols.Contains(parser.Name))
            {
                parsers.Add(parser);
            }
        }

        var ports = new Dictionary<int, string>();
        foreach (var (port, name) in registry.ParserPorts)
        {
            if (protocols.Contains(name))
            {
                ports[port] = name;
            }
        }

        return new ParserRegistry(parsers, ports);
    }

    private static ulong ToNanoseconds(TimeSpan span) => span <= TimeSpan.Zero ? 0 : (ulong)span.Ticks * 100;

    private void Observe(ulong timestampNs)
    {
        if (timestampNs > _nowNs)
        {
            _nowNs = timestampNs;
        }
    }

    /// <summary>Whether TLS plaintext of <paramref name="id"/> is being tracked.</summary>
    private bool IsTls(ConnectionId id) => _connections.ContainsKey(new TrackedConnectionKey(id, Encrypted: true));

    /// <summary>
    /// The first TLS plaintext of a connection: what was tracked of its socket bytes (ciphertext, or the
    /// handshake) is finished and remembered, so later socket bytes are dropped; its endpoints carry over.
    /// </summary>
    private ConnectionInfo StartPlaintext(ConnectionId id)
    {
        if (!_connections.TryGetValue(new TrackedConnectionKey(id, Encrypted: false), out var socket))
        {
            RememberFinished(new TrackedConnectionKey(id, Encrypted: false));
            return ConnectionInfoFactory.FromId(id, encrypted: true);
        }

        var info = socket.Connection with { Encrypted = true };
        Finish(socket, closing: true);
        return info;
    }

    private TrackedConnection Create(TrackedConnectionKey key, ConnectionInfo info, ulong timestampNs)
    {
        while (_connections.Count >= _maxConnections && _oldest is not null)
        {
            Statistics.AddConnectionEvicted();
            Finish(_oldest, closing: false);
        }

        var connection = new TrackedConnection(this, key, info, _memory) { LastActivityNs = timestampNs };
        _connections.Add(key, connection);
        connection.Older = _newest;
        if (_newest is not null)
        {
            _newest.Newer = connection;
        }

        _newest = connection;
        _oldest ??= connection;
        LinkToProcess(connection);
        Statistics.AddConnectionOpened();
        Statistics.SetConnectionsTracked(_connections.Count);
        return connection;
    }

    private void Touch(TrackedConnection connection, ulong timestampNs)
    {
        if (timestampNs > connection.LastActivityNs)
        {
            connection.LastActivityNs = timestampNs;
        }

        if (_newest == connection)
        {
            return;
        }

        Unlink(connection);
        connection.Older = _newest;
        _newest!.Newer = connection;
        _newest = connection;
    }

    private void Unlink(TrackedConnection connection)
    {
        if (connection == _trimmedBoundary)
        {
            _trimmedBoundary = connection.Older;
        }

        if (connection.Newer is not null)
        {
            connection.Newer.Older = connection.Older;
        }
        else
        {
            _newest = connection.Older;
        }

        if (connection.Older is not null)
        {
            connection.Older.Newer = connection.Newer;
        }
        else
        {
            _oldest = connection.Newer;
        }

        connection.Newer = null;
        connection.Older = null;
    }

    /// <summary>Trims the connections that went quiet since the last tick, oldest first; each only once per quiet spell.</summary>
    private void TrimIdleConnections(ulong now)
    {
        var candidate = _trimmedBoundary is null ? _oldest : _trimmedBoundary.Newer;
        while (candidate is not null && now > candidate.LastActivityNs && now - candidate.LastActivityNs >= IdleTrimNs)
        {
            if (candidate.State == TrackedConnectionState.Parsing && candidate.Parser is IIdleTrimmableConnectionParser trimmable)
            {
                try
                {
                    trimmable.TrimIdle();
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    ReportParserException(candidate, exception);
                }
            }

            // Reporting an exception may have finished the connection, which moves the boundary itself.
            var next = candidate.Newer;
            if (candidate.State != TrackedConnectionState.Finished)
            {
                _trimmedBoundary = candidate;
            }

            candidate = next;
        }
    }

    private void EnsureTimed(TrackedConnection connection)
    {
        if (!connection.InTimerList)
        {
            connection.InTimerList = true;
            _timed.Add(connection);
        }
    }

    private void TryFinishClose(TrackedConnection connection)
    {
        if (connection.State == TrackedConnectionState.Finished)
        {
            return;
        }

        var complete = connection.Egress.HeldCount == 0
            && connection.Ingress.HeldCount == 0
            && connection.Egress.Next >= connection.FinalEgressLength
            && connection.Ingress.Next >= connection.FinalIngressLength;
        if (complete || connection.State == TrackedConnectionState.Ignored
            || _nowNs - connection.CloseRequestedNs >= _reorderWindowNs)
        {
            Finish(connection, closing: true);
        }
        else
        {
            // Data written just before the close may still be on its way from another CPU.
            EnsureTimed(connection);
        }
    }

    /// <summary>Flushes a connection (held data, final gaps), completes its parser and forgets it.</summary>
    private void Finish(TrackedConnection connection, bool closing)
    {
        if (connection.State == TrackedConnectionState.Finished)
        {
            return;
        }

        if (connection.State is TrackedConnectionState.Parsing or TrackedConnectionState.Undecided)
        {
            FlushForFinish(connection, connection.Egress, closing ? connection.FinalEgressLength : 0);
            FlushForFinish(connection, connection.Ingress, closing ? connection.FinalIngressLength : 0);
        }

        if (connection.State == TrackedConnectionState.Parsing)
        {
            try
            {
                connection.Parser!.Complete();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                ReportParserException(connection, exception);
            }
        }

        ReportFinished(connection);
        Statistics.AddBytesDroppedUnparsed(connection.Egress.MemoryBytes + connection.Ingress.MemoryBytes);
        connection.Egress.Release();
        connection.Ingress.Release();
        connection.State = TrackedConnectionState.Finished;
        connection.Parser = null;

        _connections.Remove(connection.Key);
        Unlink(connection);
        UnlinkFromProcess(connection);
        if (closing)
        {
            RememberFinished(connection.Key);
        }

        Statistics.AddConnectionClosed();
        Statistics.SetConnectionsTracked(_connections.Count);
    }

    private void FlushForFinish(TrackedConnection connection, TrackedStream stream, long finalLength)
    {
        ExpireHeld(connection, stream, _nowNs, everything: true);
        if (connection.State is TrackedConnectionState.Parsing or TrackedConnectionState.Undecided && finalLength > stream.Next)
        {
            if (connection.NeverSentUp)
            {
                // The kernel never sent this connection up: its bytes were not captured, not lost.
                Statistics.AddBytesNotCaptured(finalLength - stream.Next);
                stream.Next = finalLength;
            }
            else
            {
                LoseBytes(connection, stream, finalLength - stream.Next);
            }
        }
    }

    private void RememberFinished(TrackedConnectionKey id)
    {
        if (_recentlyFinished.Add(id))
        {
            _recentlyFinishedOrder.Enqueue(id);
            if (_recentlyFinishedOrder.Count > RecentlyFinishedCapacity)
            {
                _recentlyFinished.Remove(_recentlyFinishedOrder.Dequeue());
            }
        }
    }
}
