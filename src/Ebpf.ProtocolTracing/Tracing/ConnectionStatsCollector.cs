using System.Threading.Channels;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing;

/// <summary>
/// Turns the tracker's per-connection byte counts into one <see cref="ConnectionStats"/> per connection
/// per interval, and a last one for each connection that finished in it.
/// </summary>
/// <remarks>
/// Every member but <see cref="Subscribe"/>, <see cref="Reader"/> and <see cref="Dropped"/> runs on the
/// tracker's thread. Nothing is kept until someone subscribes, so an unread stream costs nothing.
/// Every tracked connection reports in the same tick, so the queue may hold one whole interval's reports
/// even when that is more than the configured capacity: a reader that keeps up loses nothing however
/// many connections there are, and one that falls an interval behind loses the newest. Memory is
/// bounded by the tracker's connection limit (or the capacity, if larger) plus the pending closes.
/// </remarks>
internal sealed class ConnectionStatsCollector
{
    private readonly Channel<ConnectionStats> _channel;
    private readonly long _intervalTicks;
    private readonly TimeProvider _time;
    private readonly int _capacity;

    // What was last reported of each connection (to compute interval deltas and tell new connections
    // apart) is kept on the tracker's connection and comes back in its snapshots.
    private readonly List<ConnectionStats> _closed = new();

    private volatile bool _subscribed;
    private long _dropped;
    private DateTimeOffset _intervalStart;
    private long _nextTimestamp;

    // Reports this tick may still queue; the reader only ever frees more, so the estimate is safe.
    private int _room;

    // Closes held until the next report: at least as many as connections were tracked in the interval,
    // so that all of them closing at once (a client or a server going away) loses none.
    private int _closedLimit;

    /// <summary>Creates a collector.</summary>
    /// <param name="interval">How often to report.</param>
    /// <param name="capacity">Statistics held for a slow reader.</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> outside tests.</param>
    public ConnectionStatsCollector(TimeSpan interval, int capacity, TimeProvider time)
    {
        _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
        _time = time;
        _capacity = capacity;
        _closedLimit = capacity;

        // Unbounded only in type: Write admits at most the room the current tick allows.
        _channel = Channel.CreateUnbounded<ConnectionStats>(new UnboundedChannelOptions
        {
            SingleWriter = true,
            SingleReader = false,
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary>The statistics, for <see cref="IProtocolTracer.ReadConnectionStatsAsync"/>.</summary>
    public ChannelReader<ConnectionStats> Reader => _channel.Reader;

    /// <summary>Statistics lost because the reader fell behind.</summary>
    public ulong Dropped => (ulong)Interlocked.Read(ref _dropped);

    /// <summary>Starts collecting (a reader arrived); the first interval starts at the next tick.</summary>
    public void Subscribe() => _subscribed = true;

    /// <summary>Records a finished connection's last numbers, reported with the current interval.</summary>
    public void OnConnectionFinished(ConnectionSnapshot snapshot)
    {
        if (!_subscribed || _intervalStart == default)
        {
            return;
        }

        if (_closed.Count >= _closedLimit)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        _closed.Add(Build(snapshot, closed: true, _time.GetUtcNow()));
    }

    /// <summary>Reports every connection when the interval has passed. Call on every tracker tick.</summary>
    public void Tick(ConnectionTracker tracker)
    {
        if (!_subscribed)
        {
            return;
        }

        _closedLimit = Math.Max(_closedLimit, tracker.ConnectionCount);
        var now = _time.GetTimestamp();
        if (_intervalStart == default)
        {
            _intervalStart = _time.GetUtcNow();
            _nextTimestamp = now + _intervalTicks;
            return;
        }

        if (now < _nextTimestamp)
        {
            return;
        }

        _nextTimestamp = now + _intervalTicks;
        var end = _time.GetUtcNow();
        var reports = tracker.ConnectionCount + _closed.Count;
        _room = Math.Max(_capacity, reports) - _channel.Reader.Count;
        HashSet<ConnectionId>? encrypted = null;
        foreach (var snapshot in tracker.SnapshotConnections(markReported: true))
        {
            Write(Build(snapshot, closed: false, end));
            if (snapshot.Connection.Encrypted)
            {
                (encrypted ??= []).Add(snapshot.Connection.Id);
            }
        }

        foreach (var closed in _closed)
        {
            // When TLS plaintext starts, the tracker finishes the socket's ciphertext stream and goes on
            // with the plaintext: the connection did not close, it is now reported as encrypted.
            if (!closed.Connection.Encrypted && encrypted is not null && encrypted.Contains(closed.Connection.Id))
            {
                continue;
            }

            Write(closed with { IntervalEnd = end });
        }

        _closed.Clear();
        _closedLimit = Math.Max(_capacity, tracker.ConnectionCount);

        _intervalStart = end;
    }

    /// <summary>Reports what is pending and ends the stream (the tracer stopped).</summary>
    public void Complete(Exception? error = null)
    {
        if (_subscribed && _intervalStart != default)
        {
            var end = _time.GetUtcNow();
            _room = Math.Max(_capacity, _closed.Count) - _channel.Reader.Count;
            foreach (var closed in _closed)
            {
                Write(closed with { IntervalEnd = end });
            }
        }

        _closed.Clear();
        _channel.Writer.TryComplete(error);
    }

    private ConnectionStats Build(in ConnectionSnapshot snapshot, bool closed, DateTimeOffset end) => new()
    {
        Connection = snapshot.Connection,
        Protocol = snapshot.Protocol,
        IntervalStart = _intervalStart,
        IntervalEnd = end,
        BytesSent = snapshot.BytesSent,
        BytesReceived = snapshot.BytesReceived,
        BytesSentInInterval = snapshot.BytesSent - Math.Min(snapshot.ReportedBytesSent, snapshot.BytesSent),
        BytesReceivedInInterval = snapshot.BytesReceived - Math.Min(snapshot.ReportedBytesReceived, snapshot.BytesReceived),
        Opened = !snapshot.Reported,
        Closed = closed,
    };

    private void Write(ConnectionStats stats)
    {
        if (_room <= 0 || !_channel.Writer.TryWrite(stats))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        _room--;
    }
}
