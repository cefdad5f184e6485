using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// The MySQL/MariaDB client/server protocol
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html): the handshake, text queries,
/// prepared statements with their bound parameters, and their responses, one <see cref="MySqlRecord"/>
/// per exchange.
/// </summary>
public sealed class MySqlParser : IProtocolParser
{
    private readonly MySqlParserOptions _options;

    /// <summary>Creates the parser with default options.</summary>
    public MySqlParser()
        : this(new MySqlParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits and privacy settings; validated and copied here.</param>
    public MySqlParser(MySqlParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc />
    public string Name => "mysql";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.MySql;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => MySqlInference.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new MySqlConnectionParser(context, _options);
    }
}
