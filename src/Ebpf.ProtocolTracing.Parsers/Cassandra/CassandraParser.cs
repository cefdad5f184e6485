using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>
/// The Cassandra CQL native protocol, v3–v5 (https://github.com/apache/cassandra/blob/trunk/doc/native_protocol_v4.spec):
/// frames by the 9-byte header, decodes STARTUP, OPTIONS/SUPPORTED, QUERY, PREPARE/EXECUTE (with a per
/// connection prepared statement cache), BATCH, REGISTER/EVENT, RESULT kinds and ERROR, redacts
/// AUTH_RESPONSE credentials, pairs responses by stream id and emits one <see cref="CassandraRecord"/> per exchange.
/// </summary>
/// <remarks>
/// v5 connections switch to CRC-checked segments after STARTUP; the parser recognises that point and stops.
/// </remarks>
public sealed class CassandraParser : IProtocolParser
{
    private readonly CassandraParserOptions _options;

    /// <summary>Creates the parser with default options.</summary>
    public CassandraParser()
        : this(new CassandraParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits and privacy settings; validated here and not read again after construction.</param>
    public CassandraParser(CassandraParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc />
    public string Name => "cassandra";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.Cassandra;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => CassandraInference.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new CassandraConnectionParser(context, _options);
    }
}
