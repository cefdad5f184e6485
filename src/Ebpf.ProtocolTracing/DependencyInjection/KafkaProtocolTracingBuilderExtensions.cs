using Ebpf.ProtocolTracing.Kafka;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the built-in Kafka parser registered by <c>AddProtocolTracing</c>.</summary>
public static class KafkaProtocolTracingBuilderExtensions
{
    /// <summary>Configures the Kafka parser (message head, partition and pending-request limits, SASL redaction).</summary>
    /// <param name="builder">The builder returned by <c>AddProtocolTracing</c>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigureKafka(o => o.MaxPartitions = 8);
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigureKafka(this IProtocolTracingBuilder builder, Action<KafkaParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
