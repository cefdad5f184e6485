using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>
/// One connection's Redis state: a <see cref="RespReader"/> per direction and the
/// <see cref="RedisExchangeMatcher"/> that pairs what they read.
/// </summary>
/// <remarks>
/// Which direction carries commands comes from the connection's role; when the role is unknown
/// (tracing began mid-connection) the first complete value decides: an array of strings that starts
/// with a known command name is a command, anything else a reply.
/// </remarks>
internal sealed class RedisConnectionParser : IConnectionParser
{
    private readonly IParseContext _context;
    private readonly RedisParserOptions _options;
    private readonly RespReader[] _readers;
    private readonly RedisExchangeMatcher _matcher;
    private StreamDirection? _learnedCommandDirection;

    public RedisConnectionParser(IParseContext context, RedisParserOptions options)
    {
        _context = context;
        _options = options;
        _readers = [new RespReader(options, commandSide: true), new RespReader(options, commandSide: true)];
        _matcher = new RedisExchangeMatcher(context, options.MaxPendingCommands);
    }

    /// <summary>Commands waiting for replies (for tests that check the bound).</summary>
    internal int PendingCommandCount => _matcher.PendingCount;

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        var reader = _readers[(int)direction];
        var commandDirection = CommandDirection;
        bool commandSide = commandDirection is null || commandDirection == direction;

        // Inline commands only once the direction is known: mid-stream, any text line would pass for one.
        reader.AllowInline = commandDirection == direction;
        reader.Builder.CommandSide = commandSide;

        long offset = 0;
        while (true)
        {
            var status = reader.Read(data, streamPosition, ref offset);
            if (status == RespReadStatus.NeedMore)
            {
                break;
            }

            if (status == RespReadStatus.Invalid)
            {
                LoseStream(direction);

                // Resync strictly after the bad line's first byte.
                consumed = data.GetPosition(Math.Min(offset + 1, data.Length));
                return ParseStatus.Invalid;
            }

            Dispatch(direction, reader.TakeValue());
            commandDirection = CommandDirection;
            commandSide = commandDirection == direction;
            reader.AllowInline = commandSide;
            reader.Builder.CommandSide = commandSide;
        }

        consumed = data.GetPosition(offset);
        return ParseStatus.Continue;
    }

    public bool OnGap(StreamDirection direction, long length)
    {
        if (length <= 0)
        {
            return true;
        }

        if (_readers[(int)direction].OnGap(length))
        {
            return true;
        }

        LoseStream(direction);
        return false;
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        var commandDirection = CommandDirection;
        bool commands = commandDirection is null || commandDirection == direction;
        if (RedisFrameFinder.TryFind(data, commands, allowReplies: commandDirection is not null && !commands, out long offset))
        {
            frameStart = data.GetPosition(offset);
            return true;
        }

        frameStart = data.Start;
        return false;
    }

    public void Complete()
    {
        foreach (var reader in _readers)
        {
            reader.Reset();
        }

        _matcher.Complete();
    }

    /// <summary>The direction that carries commands, when known.</summary>
    private StreamDirection? CommandDirection => _context.Connection.Role switch
    {
        ConnectionRole.Client => StreamDirection.Egress,
        ConnectionRole.Server => StreamDirection.Ingress,
        _ => _learnedCommandDirection,
    };

    private void Dispatch(StreamDirection direction, RespValue value)
    {
        var commandDirection = CommandDirection;
        if (commandDirection is null)
        {
            commandDirection = LooksLikeCommand(value) ? direction : Other(direction);
            _learnedCommandDirection = commandDirection;
        }

        _matcher.CommandDirection = commandDirection.Value;
        if (direction == commandDirection)
        {
            if (value.Type is not (RespType.Array or RespType.Inline) || value.Value.Size == 0 || value.TextAt(0) is null)
            {
                // Not a command (e.g. an empty array): nothing to record.
                return;
            }

            _matcher.AddCommand(RedisCommandInfo.From(value, _options.MaxArguments, _options.MaxArgumentLength), value);
        }
        else
        {
            _matcher.AddReply(value, direction);
        }
    }

    private static bool LooksLikeCommand(RespValue value) =>
        value.Type is RespType.Inline
        || (value.Type == RespType.Array && value.Elements.Count > 0 && value.Elements[0].Type == RespType.BulkString
            && value.TextAt(0) is { } name && RedisCommandNames.IsKnown(name));

    private void LoseStream(StreamDirection direction)
    {
        _readers[(int)direction].Reset();
        var commandDirection = CommandDirection;
        if (commandDirection is null)
        {
            return;
        }

        if (direction == commandDirection)
        {
            _matcher.OnCommandsLost();
        }
        else
        {
            _matcher.OnRepliesLost();
        }
    }

    private static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;
}
