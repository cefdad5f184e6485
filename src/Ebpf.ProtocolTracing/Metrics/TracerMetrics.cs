using System.Diagnostics.Metrics;

namespace Ebpf.ProtocolTracing.Metrics;

/// <summary>The tracer's meter: its health and the request metrics of the traffic it sees.</summary>
internal sealed class TracerMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on an own meter without one.</summary>
    public TracerMetrics(IMeterFactory? meterFactory, Func<TracerStatistics> statistics, Func<int> recordBufferUse)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(ProtocolTracingMeter.Name);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(ProtocolTracingMeter.Name);
        }

        Requests = new RequestMetrics(_meter);
        _ = new TracerHealthMetrics(_meter, statistics, recordBufferUse);
    }

    /// <summary>The request metrics; fed every record.</summary>
    public RequestMetrics Requests { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        // A factory's meters live as long as the factory: disposing one here would end them for others.
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
