using System.Diagnostics.Metrics;

namespace Ebpf.ProtocolTracing.Tests.Metrics;

/// <summary>One measurement as a listener saw it.</summary>
internal sealed record CollectedMeasurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags);

/// <summary>Listens to every instrument of one meter (matched by the meter object, so parallel tests do not mix).</summary>
internal sealed class MeasurementCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<CollectedMeasurement> _measurements = [];
    private readonly List<Instrument> _completed = [];

    public MeasurementCollector(Func<Meter, bool> meterMatches)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meterMatches(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_measurements)
            {
                _completed.Add(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<CollectedMeasurement> Measurements
    {
        get
        {
            lock (_measurements)
            {
                return [.. _measurements];
            }
        }
    }

    /// <summary>Instruments whose meter was disposed while listened to.</summary>
    public IReadOnlyList<Instrument> Completed
    {
        get
        {
            lock (_measurements)
            {
                return [.. _completed];
            }
        }
    }

    public IReadOnlyList<CollectedMeasurement> Of(string instrument) => Measurements.Where(m => m.Instrument == instrument).ToList();

    /// <summary>Asks observable instruments for their values now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        lock (_measurements)
        {
            _measurements.Add(new CollectedMeasurement(instrument.Name, instrument.Unit, value, copy));
        }
    }
}
