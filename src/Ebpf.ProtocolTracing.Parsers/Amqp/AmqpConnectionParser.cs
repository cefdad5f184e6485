using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// One connection's AMQP state: an <see cref="AmqpFrameReader"/> per direction and the
/// <see cref="AmqpExchangeMatcher"/> that pairs what they read.
/// </summary>
/// <remarks>
/// Which direction is the client's comes from the connection's role; when the role is unknown (tracing
/// began mid-connection) the first frame only one side sends decides: the protocol header, or a method
/// such as <c>basic.publish</c> (client) or <c>basic.deliver</c> (server).
/// </remarks>
internal sealed class AmqpConnectionParser : FramedConnectionParser<AmqpFrameReader, AmqpFrame>
{
    private readonly AmqpParserOptions _options;
    private readonly AmqpExchangeMatcher _matcher;

    public AmqpConnectionParser(IParseContext context, AmqpParserOptions options)
        : base(context, new AmqpFrameReader(options), new AmqpFrameReader(options))
    {
        _options = options;
        _matcher = new AmqpExchangeMatcher(context, options);
    }

    /// <summary>Methods waiting for a reply, content or confirm (for tests that check the bound).</summary>
    internal int PendingCount => _matcher.PendingCount;

    /// <summary>Channels tracked (for tests that check the bound).</summary>
    internal int ChannelCount => _matcher.ChannelCount;

    protected override bool TryFindFrameStart(ReadOnlySequence<byte> data, out long offset) =>
        AmqpFrameFinder.TryFind(data, _options, out offset);

    protected override void OnLost() => _matcher.OnLost();

    protected override void OnComplete() => _matcher.Complete();

    protected override void Dispatch(StreamDirection direction, AmqpFrame frame)
    {
        if (ClientDirection is null)
        {
            if (frame.Type == AmqpFrameType.ProtocolHeader)
            {
                LearnClientDirection(direction);
            }
            else if (frame.Method is { } method)
            {
                if (AmqpMethods.SentByClientOnly(method.ClassId, method.MethodId))
                {
                    LearnClientDirection(direction);
                }
                else if (AmqpMethods.SentByServerOnly(method.ClassId, method.MethodId))
                {
                    LearnClientDirection(Other(direction));
                }
            }
        }

        var clientDirection = ClientDirection;
        var role = clientDirection switch
        {
            StreamDirection.Egress => ConnectionRole.Client,
            StreamDirection.Ingress => ConnectionRole.Server,
            _ => ConnectionRole.Unknown,
        };
        _matcher.Add(frame, direction, clientDirection is null ? null : clientDirection != direction, role);
    }
}
