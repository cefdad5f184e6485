using Ebpf.ProtocolTracing.Tests.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Tracing;

/// <summary>
/// Every tracked connection reports in the same tick: more connections than
/// <see cref="ProtocolTracingOptions.ConnectionStatsBufferCapacity"/> must not cost a reader that keeps up
/// any report, while a reader that stops reading still has a bounded queue.
/// </summary>
public sealed class ConnectionStatsBurstTests
{
    private const int Capacity = 100;
    private const int Connections = Capacity + 32;
    private const ulong T0 = 1_000_000_000;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly SteppedTime _time = new();
    private readonly TrackerHarness _harness = new();
    private readonly ConnectionStatsCollector _collector;

    public ConnectionStatsBurstTests()
    {
        _collector = new ConnectionStatsCollector(Interval, Capacity, _time);
        _harness.Tracker.ConnectionFinished = _collector.OnConnectionFinished;
        _collector.Subscribe();
        _collector.Tick(_harness.Tracker);
        for (var fd = 1; fd <= Connections; fd++)
        {
            _harness.Open(TrackerHarness.Id(fd: fd), T0);
        }
    }

    [Fact]
    public void More_connections_than_the_capacity_all_report_in_one_tick()
    {
        Assert.Equal(Connections, ReadInterval().Count);
        Assert.Equal(Connections, ReadInterval().Count);

        Assert.Equal(0UL, _collector.Dropped);
    }

    [Fact]
    public void Connections_closed_in_the_interval_report_beside_the_open_ones()
    {
        for (var fd = 1; fd <= 10; fd++)
        {
            _harness.Close(TrackerHarness.Id(fd: fd), T0 + 1_000, bytesSent: 0, bytesReceived: 0);
        }

        _harness.Tracker.Tick(T0 + 1_000_000_000);
        var stats = ReadInterval();

        Assert.Equal(Connections, stats.Count);
        Assert.Equal(10, stats.Count(s => s.Closed));
        Assert.Equal(0UL, _collector.Dropped);
    }

    [Fact]
    public void More_connections_than_the_capacity_all_closing_in_one_interval_all_report_their_close()
    {
        Assert.Equal(Connections, ReadInterval().Count);
        for (var fd = 1; fd <= Connections; fd++)
        {
            _harness.Close(TrackerHarness.Id(fd: fd), T0 + 1_000, bytesSent: 0, bytesReceived: 0);
        }

        _harness.Tracker.Tick(T0 + 1_000_000_000);
        var stats = ReadInterval();

        Assert.Equal(Connections, stats.Count(s => s.Closed));
        Assert.Equal(0UL, _collector.Dropped);
    }

    [Fact]
    public void A_reader_an_interval_behind_loses_the_newest_reports_not_unbounded_memory()
    {
        EndInterval();
        EndInterval();

        Assert.Equal((ulong)Connections, _collector.Dropped);
        Assert.Equal(Connections, _collector.Reader.Count);
    }

    private void EndInterval()
    {
        _time.Advance(Interval);
        _collector.Tick(_harness.Tracker);
    }

    private List<ConnectionStats> ReadInterval()
    {
        EndInterval();
        var stats = new List<ConnectionStats>();
        while (_collector.Reader.TryRead(out var item))
        {
            stats.Add(item);
        }

        return stats;
    }

    private sealed class SteppedTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        private long _timestamp = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by)
        {
            _now += by;
            _timestamp += by.Ticks;
        }

        public override DateTimeOffset GetUtcNow() => _now;

        public override long GetTimestamp() => _timestamp;
    }
}
