using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// AMQP 0-9-1 (https://www.rabbitmq.com/resources/specs/amqp0-9-1.pdf, the protocol of RabbitMQ): frames
/// both directions, decodes the methods of the connection, channel, exchange, queue, basic, confirm and
/// tx classes, pairs synchronous requests with their replies per channel, gathers each message's content
/// header and body, matches publishes with publisher confirms, and emits one <see cref="AmqpRecord"/> per
/// method.
/// </summary>
public sealed class AmqpParser : IProtocolParser
{
    private readonly AmqpParserOptions _options;

    /// <summary>Creates the parser with default options.</summary>
    public AmqpParser()
        : this(new AmqpParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits and privacy settings; validated here and not read again after construction.</param>
    public AmqpParser(AmqpParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc />
    public string Name => "amqp";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.Amqp;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => AmqpInference.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new AmqpConnectionParser(context, _options);
    }
}
