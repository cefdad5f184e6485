using Ebpf.ProtocolTracing.Metrics;

namespace Ebpf.ProtocolTracing;

/// <content>The tracer's meter (<see cref="ProtocolTracingMeter.Name"/>).</content>
public sealed partial class ProtocolTracer
{
    // How many records wait for their reader, for the record buffer gauge.
    private int RecordBufferUse()
    {
        var records = _records;
        return records is null ? 0 : (int)Math.Min(records.Buffered, int.MaxValue);
    }
}
