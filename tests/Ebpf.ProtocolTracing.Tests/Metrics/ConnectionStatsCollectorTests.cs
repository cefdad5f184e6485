using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Tests.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Metrics;

public sealed class ConnectionStatsCollectorTests
{
    private const ulong Ms = 1_000_000;
    private const ulong T0 = 1_000 * Ms;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ManualTime _time = new();
    private readonly TrackerHarness _harness = new();
    private readonly ConnectionStatsCollector _collector;

    public ConnectionStatsCollectorTests()
    {
        _collector = new ConnectionStatsCollector(Interval, capacity: 100, _time);
        _harness.Tracker.ConnectionFinished = _collector.OnConnectionFinished;
    }

    [Fact]
    public void Each_interval_reports_every_connection_with_totals_and_interval_bytes()
    {
        var id = TrackerHarness.Id(fd: 1);
        StartInterval();
        _harness.Open(id, T0);
        _harness.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        _harness.Data(id, StreamDirection.Ingress, 0, T0 + (2 * Ms), "RES a-long\n");

        var first = Assert.Single(EndInterval());
        Assert.Equal(id, first.Connection.Id);
        Assert.Equal("testline", first.Protocol);
        Assert.True(first.Opened);
        Assert.False(first.Closed);
        Assert.True(first.Active);
        Assert.Equal(6UL, first.BytesSent);
        Assert.Equal(11UL, first.BytesReceived);
        Assert.Equal(6UL, first.BytesSentInInterval);
        Assert.Equal(11UL, first.BytesReceivedInInterval);
        Assert.Equal(ConnectionRole.Client, first.Role);
        Assert.Equal(9000, first.RemoteEndPoint?.Port);
        Assert.Equal(Interval, first.IntervalEnd - first.IntervalStart);

        _harness.Data(id, StreamDirection.Egress, 6, T0 + (3 * Ms), "REQ b\n");
        var second = Assert.Single(EndInterval());
        Assert.False(second.Opened);
        Assert.Equal(12UL, second.BytesSent);
        Assert.Equal(6UL, second.BytesSentInInterval);
        Assert.Equal(0UL, second.BytesReceivedInInterval);
        Assert.Equal(first.IntervalEnd, second.IntervalStart);

        var idle = Assert.Single(EndInterval());
        Assert.False(idle.Active);
        Assert.Equal(12UL, idle.BytesSent);
    }

    [Fact]
    public void A_connection_that_opens_and_closes_inside_one_interval_is_reported_once_as_both()
    {
        var lived = TrackerHarness.Id(fd: 1);
        var brief = TrackerHarness.Id(fd: 2);
        StartInterval();
        _harness.Open(lived, T0);
        _harness.Data(lived, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        _harness.Open(brief, T0);
        _harness.Data(brief, StreamDirection.Egress, 0, T0 + Ms, "REQ b\n");
        _harness.Close(brief, T0 + (2 * Ms), bytesSent: 10, bytesReceived: 0);

        // The 4 bytes no event carried never come: the close completes once the reorder window passes.
        _harness.Tracker.Tick(T0 + (500 * Ms));

        var stats = EndInterval();

        Assert.Equal(2, stats.Count);
        var closed = Assert.Single(stats, s => s.Connection.Id == brief);
        Assert.True(closed.Opened);
        Assert.True(closed.Closed);
        Assert.Equal(10UL, closed.BytesSent); // the close event's count includes bytes no event carried
        Assert.False(Assert.Single(stats, s => s.Connection.Id == lived).Closed);

        Assert.DoesNotContain(EndInterval(), s => s.Connection.Id == brief);
    }

    [Fact]
    public void A_connection_closed_after_being_reported_gives_its_last_interval()
    {
        var id = TrackerHarness.Id(fd: 1);
        StartInterval();
        _harness.Open(id, T0);
        _harness.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        EndInterval();

        _harness.Data(id, StreamDirection.Egress, 6, T0 + (2 * Ms), "REQ b\n");
        _harness.Close(id, T0 + (3 * Ms), bytesSent: 12, bytesReceived: 0);
        var last = Assert.Single(EndInterval());

        Assert.False(last.Opened);
        Assert.True(last.Closed);
        Assert.Equal(6UL, last.BytesSentInInterval);
    }

    [Fact]
    public void A_connection_whose_tls_plaintext_starts_is_reported_encrypted_not_closed()
    {
        var id = TrackerHarness.Id(fd: 1);
        StartInterval();
        _harness.Open(id, T0);
        _harness.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ hello\n");
        PlaintextData(id, StreamDirection.Egress, 0, T0 + (2 * Ms), "REQ a\n");

        var stats = Assert.Single(EndInterval());

        Assert.True(stats.Encrypted);
        Assert.False(stats.Closed);
        Assert.Equal(6UL, stats.BytesSent);
    }

    [Fact]
    public void Nothing_is_kept_before_someone_reads()
    {
        var id = TrackerHarness.Id(fd: 1);
        _harness.Open(id, T0);
        _harness.Close(id, T0 + Ms, 0, 0);
        _time.Advance(Interval * 3);
        _collector.Tick(_harness.Tracker);

        Assert.False(_collector.Reader.TryRead(out _));
    }

    [Fact]
    public void Statistics_nobody_reads_beyond_the_capacity_are_dropped_and_counted()
    {
        var collector = new ConnectionStatsCollector(Interval, capacity: 2, _time);
        collector.Subscribe();
        collector.Tick(_harness.Tracker);
        for (var fd = 1; fd <= 5; fd++)
        {
            _harness.Open(TrackerHarness.Id(fd: fd), T0);
        }

        // One interval's reports of every connection fit even beyond the capacity; the next do not.
        _time.Advance(Interval);
        collector.Tick(_harness.Tracker);
        _time.Advance(Interval);
        collector.Tick(_harness.Tracker);

        Assert.Equal(5UL, collector.Dropped);
        Assert.Equal(5, collector.Reader.Count);
    }

    [Fact]
    public void Completing_ends_the_stream_with_the_error()
    {
        StartInterval();
        var failure = new ProtocolTracingException("reader failed");

        _collector.Complete(failure);

        Assert.True(_collector.Reader.Completion.IsFaulted);
    }

    private void PlaintextData(ConnectionId id, StreamDirection direction, long position, ulong timestampNs, string text)
    {
        var payload = System.Text.Encoding.ASCII.GetBytes(text);
        var e = new DataEvent
        {
            Header = new KernelEventHeader
            {
                Kind = KernelEventKind.Data,
                Tid = (uint)id.Pid,
                TimestampNs = timestampNs,
                Conn = new KernelConnKey((uint)id.Pid, id.Fd, id.Generation),
                Flags = KernelEventFlags.Encrypted,
            },
            Position = (ulong)position,
            CapturedLength = (uint)payload.Length,
            OriginalLength = (uint)payload.Length,
            Direction = direction,
            Source = direction == StreamDirection.Egress ? KernelSource.Write : KernelSource.Read,
        };
        _harness.Tracker.OnData(in e, payload);
    }

    private void StartInterval()
    {
        _collector.Subscribe();
        _collector.Tick(_harness.Tracker);
    }

    private List<ConnectionStats> EndInterval()
    {
        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        _collector.Tick(_harness.Tracker);
        Assert.False(_collector.Reader.TryRead(out _), "reported before the interval passed");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        _collector.Tick(_harness.Tracker);
        var stats = new List<ConnectionStats>();
        while (_collector.Reader.TryRead(out var item))
        {
            stats.Add(item);
        }

        return stats;
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        private long _timestamp = 1_000_000;

        public override long TimestampFrequency => 1_000_000_000;

        public void Advance(TimeSpan by)
        {
            _now += by;
            _timestamp += by.Ticks * 100;
        }

        public override DateTimeOffset GetUtcNow() => _now;

        public override long GetTimestamp() => _timestamp;
    }
}
