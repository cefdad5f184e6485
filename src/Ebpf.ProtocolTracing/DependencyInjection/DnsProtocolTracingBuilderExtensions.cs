using Ebpf.ProtocolTracing.Dns;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the built-in DNS parser registered by <c>AddProtocolTracing</c>.</summary>
public static class DnsProtocolTracingBuilderExtensions
{
    /// <summary>Configures the DNS parser (records kept per section, TXT redaction, query timeout).</summary>
    /// <param name="builder">The builder returned by <c>AddProtocolTracing</c>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigureDns(o => o.QueryTimeout = TimeSpan.FromSeconds(2));
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigureDns(this IProtocolTracingBuilder builder, Action<DnsParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
