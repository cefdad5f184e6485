using System.Diagnostics.Metrics;
using Ebpf.ProtocolTracing.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ebpf.ProtocolTracing.Tests.Metrics;

public sealed class TracerHealthMetricsTests
{
    [Fact]
    public void Observable_instruments_report_the_tracer_statistics()
    {
        using var meter = new Meter(ProtocolTracingMeter.Name);
        using var collector = new MeasurementCollector(m => ReferenceEquals(m, meter));
        var statistics = new TracerStatistics
        {
            EventsRead = 1000,
            KernelEventsLost = 7,
            KernelBytesLost = 700,
            GapBytes = 50,
            BytesNotCaptured = 90_000,
            ResyncSkippedBytes = 5,
            BytesDroppedOverMemoryCap = 3,
            StreamBytes = 123_456,
            ParseFailures = 2,
            RecordsDropped = 4,
            ConnectionsTracked = 12,
        };
        _ = new TracerHealthMetrics(meter, () => statistics, () => 9);

        collector.Observe();

        Assert.Equal(1000, Single(collector, "ebpf.protocol_tracing.events.read").Value);
        Assert.Equal(7, Single(collector, "ebpf.protocol_tracing.events.lost").Value);
        Assert.Equal(700, Single(collector, "ebpf.protocol_tracing.events.lost_bytes").Value);
        Assert.Equal(123_456, Single(collector, "ebpf.protocol_tracing.bytes.seen").Value);
        Assert.Equal("By", Single(collector, "ebpf.protocol_tracing.bytes.seen").Unit);
        Assert.Equal(2, Single(collector, "ebpf.protocol_tracing.parse.failures").Value);
        Assert.Equal(4, Single(collector, "ebpf.protocol_tracing.records.dropped").Value);
        Assert.Equal(12, Single(collector, "ebpf.protocol_tracing.connections.tracked").Value);
        Assert.Equal(9, Single(collector, "ebpf.protocol_tracing.record_buffer.usage").Value);
        Assert.Equal(90_000, Single(collector, "ebpf.protocol_tracing.bytes.not_captured").Value);

        var lost = collector.Of("ebpf.protocol_tracing.bytes.lost").ToDictionary(m => (string)m.Tags["reason"]!, m => m.Value);
        Assert.Equal(50, lost["gap"]);
        Assert.Equal(5, lost["resync"]);
        Assert.Equal(3, lost["memory_cap"]);
        Assert.Equal(3, lost.Count);
    }

    [Fact]
    public void One_collection_reads_the_statistics_once()
    {
        using var meter = new Meter(ProtocolTracingMeter.Name);
        using var collector = new MeasurementCollector(m => ReferenceEquals(m, meter));
        var reads = 0;
        _ = new TracerHealthMetrics(meter, () => { reads++; return new TracerStatistics(); }, () => 0);

        collector.Observe();

        Assert.Equal(1, reads);
    }

    [Fact]
    public void A_tracer_from_dependency_injection_publishes_on_the_host_meter_factory()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddProtocolTracing();
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();
        using var collector = new MeasurementCollector(m => m.Name == ProtocolTracingMeter.Name && m.Scope == factory);

        var tracer = provider.GetRequiredService<IProtocolTracer>();
        collector.Observe();

        Assert.NotNull(tracer);
        Assert.Equal(0, Single(collector, "ebpf.protocol_tracing.events.read").Value);
        Assert.Equal(0, Single(collector, "ebpf.protocol_tracing.record_buffer.usage").Value);
    }

    [Fact]
    public void A_tracer_without_a_host_creates_its_meter_and_ends_it_when_stopped()
    {
        var tracer = new ProtocolTracer(new ProtocolTracingOptions());
        using var collector = new MeasurementCollector(m => m.Name == ProtocolTracingMeter.Name && m.Scope is null);
        collector.Observe();
        Assert.NotEmpty(collector.Of("ebpf.protocol_tracing.events.read"));

        tracer.Dispose();

        Assert.Contains(collector.Completed, instrument => instrument.Name == "ebpf.protocol_tracing.events.read");
    }

    private static CollectedMeasurement Single(MeasurementCollector collector, string instrument) => Assert.Single(collector.Of(instrument));
}
