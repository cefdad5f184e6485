using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// Apache Kafka's binary protocol (https://kafka.apache.org/protocol): frames requests and responses by
/// their size prefix, decodes the request header (v0–v2) and the bodies of the common apis in every
/// version including the flexible ones, counts records in magic 2 record batches without decompressing
/// them, matches responses to requests by correlation id, and emits one <see cref="KafkaRecord"/> per exchange.
/// </summary>
/// <remarks>
/// A response's shape depends on its request's api key and version, which only the request says, so
/// requests wait (bounded by <see cref="KafkaParserOptions.MaxPendingRequests"/>) until their response
/// arrives. Responses to requests sent before tracing started cannot be decoded and are dropped.
/// </remarks>
public sealed class KafkaParser : IProtocolParser
{
    private readonly KafkaParserOptions _options;

    /// <summary>Creates the parser with default options.</summary>
    public KafkaParser()
        : this(new KafkaParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits and privacy settings; validated here and not read again after construction.</param>
    public KafkaParser(KafkaParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc />
    public string Name => "kafka";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.Kafka;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => KafkaInference.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new KafkaConnectionParser(context, _options);
    }
}
