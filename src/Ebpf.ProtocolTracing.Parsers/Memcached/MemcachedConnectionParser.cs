using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>
/// One connection's memcached state: a <see cref="MemcachedFrameReader"/> per direction and the
/// <see cref="MemcachedExchangeMatcher"/> that pairs what they read.
/// </summary>
/// <remarks>
/// Which direction carries commands comes from the connection's role; when the role is unknown (tracing
/// began mid-connection) the first frame decides: a command word or a request magic marks the client's
/// direction, anything else the server's.
/// </remarks>
internal sealed class MemcachedConnectionParser : IConnectionParser
{
    private readonly IParseContext _context;
    private readonly MemcachedParserOptions _options;
    private readonly MemcachedFrameReader[] _readers;
    private readonly MemcachedExchangeMatcher _matcher;
    private StreamDirection? _learnedClientDirection;

    public MemcachedConnectionParser(IParseContext context, MemcachedParserOptions options)
    {
        _context = context;
        _options = options;
        _readers = [new MemcachedFrameReader(options), new MemcachedFrameReader(options)];
        _matcher = new MemcachedExchangeMatcher(context, options);
    }

    /// <summary>Commands waiting for responses (for tests that check the bound).</summary>
    internal int PendingCount => _matcher.PendingCount;

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        var reader = _readers[(int)direction];
        long offset = 0;
        while (true)
        {
            var status = reader.Read(data, streamPosition, ref offset);
            if (status == MemcachedReadStatus.NeedMore)
            {
                break;
            }

            if (status == MemcachedReadStatus.Invalid)
            {
                Lose(direction);
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
        bool found = MemcachedFrameFinder.TryFind(data, _options, out long offset);
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

    private void Dispatch(StreamDirection direction, MemcachedFrame frame)
    {
        if (ClientDirection is null)
        {
            _learnedClientDirection = frame.IsCommand ? direction : Other(direction);
        }

        var clientDirection = ClientDirection!.Value;
        _matcher.Role = clientDirection == StreamDirection.Egress ? ConnectionRole.Client : ConnectionRole.Server;
        var time = _context.TimeAt(direction, frame.Position);

        // A frame of the wrong kind for its direction (a command word in a stored value's place) is not used.
        if (direction == clientDirection)
        {
            if (frame.IsCommand)
            {
                _matcher.AddCommand(frame, time);
            }
        }
        else if (!frame.IsCommand)
        {
            _matcher.AddResponse(frame, time);
        }
    }

    private void Lose(StreamDirection direction)
    {
        _readers[(int)direction].Reset();
        _matcher.OnLost();
    }

    private static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;
}
