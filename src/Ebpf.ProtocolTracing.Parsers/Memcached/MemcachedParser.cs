using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>
/// Memcached's text protocol with its meta commands
/// (https://github.com/memcached/memcached/blob/master/doc/protocol.txt) and its binary protocol
/// (https://github.com/memcached/memcached/blob/master/doc/protocol-binary.txt): frames commands and
/// responses, streams values, pairs them in order (text) or by opaque (binary, quiet commands), and emits
/// one <see cref="MemcachedRecord"/> per command.
/// </summary>
public sealed class MemcachedParser : IProtocolParser
{
    private readonly MemcachedParserOptions _options;

    /// <summary>Creates the parser with default options.</summary>
    public MemcachedParser()
        : this(new MemcachedParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits; validated here and not read again after construction.</param>
    public MemcachedParser(MemcachedParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc />
    public string Name => "memcached";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.Memcached;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => MemcachedInference.Score(data, _options);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new MemcachedConnectionParser(context, _options);
    }
}
