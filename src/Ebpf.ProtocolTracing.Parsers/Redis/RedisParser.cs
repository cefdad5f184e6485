using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>
/// Redis serialization protocol, RESP2 and RESP3
/// (https://redis.io/docs/latest/develop/reference/protocol-spec/): frames commands and replies, pairs
/// them in order (pipelining, MULTI/EXEC, CLIENT REPLY), reports pub/sub messages on their own, and
/// emits one <see cref="RedisRecord"/> per exchange.
/// </summary>
public sealed class RedisParser : IProtocolParser
{
    private readonly RedisParserOptions _options;

    /// <summary>Creates the parser with default options.</summary>
    public RedisParser()
        : this(new RedisParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits and privacy settings; validated here and not read again after construction.</param>
    public RedisParser(RedisParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc />
    public string Name => "redis";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.Redis;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => RedisInference.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RedisConnectionParser(context, _options);
    }
}
