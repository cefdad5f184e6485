namespace Ebpf.ProtocolTracing.OpenTelemetry;

/// <summary>The names under which protocol tracing publishes spans and metrics.</summary>
public static class ProtocolTracingInstrumentation
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> of the spans made from records: <c>Ebpf.ProtocolTracing</c>.</summary>
    public const string ActivitySourceName = "Ebpf.ProtocolTracing";

    /// <summary>The tracer's meter: <c>Ebpf.ProtocolTracing</c>.</summary>
    public const string MeterName = Metrics.ProtocolTracingMeter.Name;
}
