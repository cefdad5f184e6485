using Ebpf.ProtocolTracing.Cassandra;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the built-in Cassandra CQL parser registered by <c>AddProtocolTracing</c>.</summary>
public static class CassandraProtocolTracingBuilderExtensions
{
    /// <summary>Configures the Cassandra CQL parser (frame head, query and statement cache limits, credential redaction).</summary>
    /// <param name="builder">The builder returned by <c>AddProtocolTracing</c>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigureCassandra(o => o.MaxQueryLength = 512);
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigureCassandra(this IProtocolTracingBuilder builder, Action<CassandraParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
