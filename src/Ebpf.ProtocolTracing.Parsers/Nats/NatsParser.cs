using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Nats;

/// <summary>
/// The NATS client protocol (https://docs.nats.io/reference/reference-protocols/nats-protocol): frames
/// the text control lines and streams message payloads of both directions, pairs <c>PING</c> with
/// <c>PONG</c> (and operations with <c>+OK</c>/<c>-ERR</c> in verbose mode), and emits one
/// <see cref="NatsRecord"/> per operation.
/// </summary>
public sealed class NatsParser : IProtocolParser
{
    private readonly NatsParserOptions _options;

    /// <summary>Creates the parser with default options.</summary>
    public NatsParser()
        : this(new NatsParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits and privacy settings; validated here and not read again after construction.</param>
    public NatsParser(NatsParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc />
    public string Name => "nats";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.Nats;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => NatsInference.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new NatsConnectionParser(context, _options);
    }
}
