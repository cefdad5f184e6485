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
internal sealed class NatsConnectionParser : IConnectionParser
{
    private readonly IParseContext _context;
    private readonly NatsParserOptions _options;
    private readonly NatsFrameReader[] _readers;
    private readonly NatsExchangeMatcher _matcher;
    private StreamDirection? _learnedClientDirection;

    public NatsConnectionParser(IParseContext context, NatsParserOptions options)
    {
        _context = context;
        _options = options;
        _readers = [new NatsFrameReader(options), new NatsFrameReader(options)];
        _matcher = new NatsExchangeMatcher(context, options);
    }

    /// <summary>Operations waiting for an answer (for tests that check the bound).</summary>
    internal int PendingCount => _matcher.PendingCount;

    /// <summary>Subscriptions remembered (for tests that check the bound).</summary>
    internal int SubscriptionCount => _matcher.SubscriptionCount;

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        var reader = _readers[(int)direction];
        long offset = 0;
        while (true)
        {
            var status = reader.Read(data, streamPosition, ref offset);
            if (status == NatsReadStatus.NeedMore)
            {
                break;
            }

            if (status == NatsReadStatus.Invalid)
            {
                Lose(direction);

                // Resync strictly after the bad line's first byte.
                consumed = data.GetPosition(Math.Min(offset + 1, data.Length));
                return ParseStatus.Invalid;
            }

            Dispatch(direction, reader.TakeFrame());
        }

        consumed = data.GetPosition(offset);
        return ParseStatus.Continue;
    }

    public bool OnGap(StreamDirection direction, long length)
    {
        if (length <= 0 || _readers[(int)direction].OnGap(length))
        {
            return true;
        }

        Lose(direction);
        return false;
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        bool found = NatsFrameFinder.TryFind(data, _options, out long offset);
        frameStart = found ? data.GetPosition(offset) : data.Start;
        return found;
    }

    public void Complete()
    {
        _readers[0].Reset();
        _readers[1].Reset();
        _matcher.Complete();
    }

    private StreamDirection? ClientDirection => _context.Connection.Role switch
    {
        ConnectionRole.Client => StreamDirection.Egress,
        ConnectionRole.Server => StreamDirection.Ingress,
        _ => _learnedClientDirection,
    };

    private void Dispatch(StreamDirection direction, NatsFrame frame)
    {
        if (ClientDirection is null)
        {
            switch (frame.Operation)
            {
                case NatsOperation.Connect or NatsOperation.Pub or NatsOperation.HPub or NatsOperation.Sub or NatsOperation.Unsub:
                    _learnedClientDirection = direction;
                    break;
                case NatsOperation.Info or NatsOperation.Msg or NatsOperation.HMsg or NatsOperation.Ok or NatsOperation.Err:
                    _learnedClientDirection = Other(direction);
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

    private void Lose(StreamDirection direction)
    {
        _readers[(int)direction].Reset();
        _matcher.OnLost();
    }

    private static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;
}
