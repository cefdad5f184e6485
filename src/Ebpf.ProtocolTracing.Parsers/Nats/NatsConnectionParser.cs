using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Nats;

/// <summary>
/// One connection's NATS state: a <see cref="NatsFrameReader"/> per direction and the
/// <see cref="NatsExchangeMatcher"/> that pairs what they read.
/// </summary>
/// <remarks>
/// Which direction is the NATS client's comes from the connection's role; when the role is unknown
/// (tracing began mid-connection) the first operation only one side sends decides (CONNECT, PUB, HPUB,
/// SUB, UNSUB from the client; INFO, MSG, HMSG, +OK, -ERR from the server).
/// </remarks>
internal sealed class NatsConnectionParser : FramedConnectionParser<NatsFrameReader, NatsFrame>
{
    private readonly NatsParserOptions _options;
    private readonly NatsExchangeMatcher _matcher;

    public NatsConnectionParser(IParseContext context, NatsParserOptions options)
        : base(context, new NatsFrameReader(options), new NatsFrameReader(options))
    {
        _options = options;
        _matcher = new NatsExchangeMatcher(context, options);
    }

    /// <summary>Operations waiting for an answer (for tests that check the bound).</summary>
    internal int PendingCount => _matcher.PendingCount;

    /// <summary>Subscriptions remembered (for tests that check the bound).</summary>
    internal int SubscriptionCount => _matcher.SubscriptionCount;

    protected override bool TryFindFrameStart(ReadOnlySequence<byte> data, out long offset) =>
        NatsFrameFinder.TryFind(data, _options, out offset);

    protected override void OnLost() => _matcher.OnLost();

    protected override void OnComplete() => _matcher.Complete();

    protected override void Dispatch(StreamDirection direction, NatsFrame frame)
    {
        if (ClientDirection is null)
        {
            switch (frame.Operation)
            {
                case NatsOperation.Connect or NatsOperation.Pub or NatsOperation.HPub or NatsOperation.Sub or NatsOperation.Unsub:
                    LearnClientDirection(direction);
                    break;
                case NatsOperation.Info or NatsOperation.Msg or NatsOperation.HMsg or NatsOperation.Ok or NatsOperation.Err:
                    LearnClientDirection(Other(direction));
                    break;
            }
        }

        var clientDirection = ClientDirection;
        var role = clientDirection switch
        {
            StreamDirection.Egress => ConnectionRole.Client,
            StreamDirection.Ingress => ConnectionRole.Server,
            _ => ConnectionRole.Unknown,
        };
        _matcher.Add(frame, direction, clientDirection is null ? null : clientDirection == direction, role);
    }
}
