namespace Ebpf.ProtocolTracing.Metrics;

/// <summary>The names under which the tracer publishes metrics.</summary>
/// <example>
/// <code>
/// dotnet-counters monitor --counters Ebpf.ProtocolTracing -p &lt;pid&gt;
/// meterProviderBuilder.AddMeter(ProtocolTracingMeter.Name);
/// </code>
/// </example>
public static class ProtocolTracingMeter
{
    /// <summary>The meter's name: <c>Ebpf.ProtocolTracing</c>.</summary>
    public const string Name = "Ebpf.ProtocolTracing";
}
