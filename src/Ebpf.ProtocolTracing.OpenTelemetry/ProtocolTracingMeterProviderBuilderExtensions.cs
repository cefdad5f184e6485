using Ebpf.ProtocolTracing.OpenTelemetry;

namespace OpenTelemetry.Metrics;

/// <summary>Adds protocol tracing to OpenTelemetry's meter provider.</summary>
public static class ProtocolTracingMeterProviderBuilderExtensions
{
    /// <summary>Adds the tracer's meter (<see cref="ProtocolTracingInstrumentation.MeterName"/>): its health and the request metrics of the traffic it sees.</summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The same builder.</returns>
    public static MeterProviderBuilder AddProtocolTracingInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(ProtocolTracingInstrumentation.MeterName);
    }
}
