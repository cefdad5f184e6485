using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ebpf.ProtocolTracing.Metrics;

/// <summary>
/// The tracer's own health as observable instruments: events read and lost, bytes seen and lost,
/// parse failures, connections, record buffer use. Read from <see cref="TracerStatistics"/> when a
/// listener collects, so they cost nothing in between.
/// </summary>
internal sealed class TracerHealthMetrics
{
    // Every instrument of one collection reads the same snapshot instead of each reading the kernel counters.
    private static readonly long SnapshotLifetime = Stopwatch.Frequency / 2;

    private readonly Func<TracerStatistics> _statistics;
    private readonly Lock _gate = new();
    private TracerStatistics? _snapshot;
    private long _snapshotTimestamp;

    public TracerHealthMetrics(Meter meter, Func<TracerStatistics> statistics, Func<int> recordBufferUse)
    {
        _statistics = statistics;
        meter.CreateObservableCounter("ebpf.protocol_tracing.events.read", () => (long)Current().EventsRead,
            "{event}", "Kernel events the tracer read from the event buffer.");
        meter.CreateObservableCounter("ebpf.protocol_tracing.events.lost", () => (long)Current().KernelEventsLost,
            "{event}", "Kernel events dropped because the event buffer was full.");
        meter.CreateObservableCounter("ebpf.protocol_tracing.events.lost_bytes", () => (long)Current().KernelBytesLost,
            "By", "Payload bytes inside the kernel events dropped because the event buffer was full; the stream bytes they stood for reach bytes.lost as a gap once their stream moves on or closes.");
        meter.CreateObservableCounter("ebpf.protocol_tracing.bytes.seen", () => (long)Current().StreamBytes,
            "By", "Stream bytes the kernel reported on traced connections, captured or not.");
        meter.CreateObservableCounter("ebpf.protocol_tracing.bytes.lost", ObserveBytesLost,
            "By", "Stream bytes no parser saw, by reason (the reasons do not overlap).");
        meter.CreateObservableCounter("ebpf.protocol_tracing.bytes.not_captured", () => (long)Current().BytesNotCaptured,
            "By", "Stream bytes of closed connections the kernel kept because it recognised no enabled protocol in them; not a loss.");
        meter.CreateObservableCounter("ebpf.protocol_tracing.parse.failures", () => (long)Current().ParseFailures,
            "{failure}", "Times a parser reported bytes it could not parse.");
        meter.CreateObservableCounter("ebpf.protocol_tracing.records.dropped", () => (long)Current().RecordsDropped,
            "{record}", "Records dropped because their reader fell behind.");
        meter.CreateObservableUpDownCounter("ebpf.protocol_tracing.connections.tracked", () => Current().ConnectionsTracked,
            "{connection}", "Connections tracked in user space now.");
        meter.CreateObservableUpDownCounter("ebpf.protocol_tracing.record_buffer.usage", recordBufferUse,
            "{record}", "Records waiting for their reader.");
    }

    private IEnumerable<Measurement<long>> ObserveBytesLost()
    {
        var s = Current();
        return
        [
            new((long)s.GapBytes, new KeyValuePair<string, object?>("reason", "gap")),
            new((long)s.ResyncSkippedBytes, new KeyValuePair<string, object?>("reason", "resync")),
            new((long)s.BytesDroppedOverMemoryCap, new KeyValuePair<string, object?>("reason", "memory_cap")),
        ];
    }

    private TracerStatistics Current()
    {
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            if (_snapshot is null || now - _snapshotTimestamp > SnapshotLifetime)
            {
                _snapshot = _statistics();
                _snapshotTimestamp = now;
            }

            return _snapshot;
        }
    }
}
