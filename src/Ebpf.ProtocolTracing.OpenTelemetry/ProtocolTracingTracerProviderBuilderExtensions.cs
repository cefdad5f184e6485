using Ebpf.ProtocolTracing.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OpenTelemetry.Trace;

/// <summary>Adds protocol tracing to OpenTelemetry's tracer provider.</summary>
public static class ProtocolTracingTracerProviderBuilderExtensions
{
    /// <summary>
    /// Makes every record of the host's <see cref="Ebpf.ProtocolTracing.IProtocolTracer"/> a span of the
    /// <see cref="ProtocolTracingInstrumentation.ActivitySourceName"/> source. Registers the tracer with
    /// <c>AddProtocolTracing()</c> if the host has not (configure it there), and a hosted service that
    /// reads its records.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <param name="configure">What the spans carry.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddProtocolTracing(o => o.ProcessIds.Add(serverPid));
    /// builder.Services.AddOpenTelemetry()
    ///     .WithTracing(t => t.AddProtocolTracing().AddOtlpExporter())
    ///     .WithMetrics(m => m.AddProtocolTracingInstrumentation().AddOtlpExporter());
    /// </code>
    /// </example>
    public static TracerProviderBuilder AddProtocolTracing(this TracerProviderBuilder builder, Action<ProtocolTracingSpanOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSource(ProtocolTracingInstrumentation.ActivitySourceName);
        return builder.ConfigureServices(services =>
        {
            services.AddProtocolTracing();
            var options = services.AddOptions<ProtocolTracingSpanOptions>();
            if (configure is not null)
            {
                options.Configure(configure);
            }

            services.TryAddSingleton(provider => new ProtocolRecordSpanEmitter(provider.GetRequiredService<IOptions<ProtocolTracingSpanOptions>>().Value));
            services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, ProtocolRecordSpanService>());
        });
    }
}
