using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>
/// PostgreSQL frontend/backend protocol v3
/// (https://www.postgresql.org/docs/current/protocol.html): the startup and authentication exchange,
/// simple queries and the extended protocol with a per-connection statement cache, pipelined batches
/// included. Emits one <see cref="PostgresRecord"/> per Query, per Execute and per startup.
/// </summary>
public sealed class PostgresParser : IProtocolParser
{
    private readonly PostgresParserOptions _options;

    /// <summary>Creates the parser with default options.</summary>
    public PostgresParser()
        : this(new PostgresParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits and privacy settings; validated here and not read again after construction.</param>
    public PostgresParser(PostgresParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc />
    public string Name => "postgres";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.Postgres;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => PostgresInference.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new PostgresConnectionParser(context, _options);
    }
}
