using System.Buffers;
using Ebpf.ProtocolTracing;
using Ebpf.ProtocolTracing.Parsing;

namespace Samples.LineProtocol;

/// <summary>
/// One connection of the line protocol: splits both streams into lines and pairs each reply with the
/// oldest unanswered request (the protocol answers in order).
/// </summary>
internal sealed class LineConnectionParser : IConnectionParser
{
    private readonly IParseContext _context;
    private readonly Queue<PendingRequest> _pending = new();

    // Which stream carries the requests; unknown until the first request line.
    private StreamDirection? _requestDirection;

    // After a gap, replies may belong to requests that were never seen: pairings stay suspect
    // (marked DataLost) until every request seen so far has been answered.
    private bool _pairingSuspect;

    public LineConnectionParser(IParseContext context) => _context = context;

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(data);
        while (true)
        {
            var lineStart = reader.Position;
            var lineOffset = reader.Consumed;
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                consumed = lineStart;
                // Bounded: a partial line longer than any valid one will never become valid.
                return reader.Remaining > LineProtocolParser.MaxLineLength ? ParseStatus.Invalid : ParseStatus.Continue;
            }

            if (line.Length > LineProtocolParser.MaxLineLength || !OnLine(direction, line, streamPosition + lineOffset))
            {
                consumed = lineStart;
                return ParseStatus.Invalid;
            }
        }
    }

    public bool OnGap(StreamDirection direction, long length)
    {
        if (_requestDirection is { } requestDirection)
        {
            if (direction != requestDirection)
            {
                // Replies were lost: the requests waiting now may have had theirs in the gap.
                while (_pending.Count > 0)
                {
                    Emit(_pending.Dequeue(), LineReplyKind.None, text: null, responseTime: null, dataLost: true);
                }
            }

            _pairingSuspect = true;
        }

        // Lines carry no length, so a gap always loses the line boundary: resync at the next line.
        return false;
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        // Room for the longest keyword (NOT_FOUND).
        Span<byte> head = stackalloc byte[16];
        var available = (int)Math.Min(head.Length, data.Length);
        data.Slice(0, available).CopyTo(head);
        if (LineSyntax.StartsWithKeyword(head[..available]))
        {
            frameStart = data.Start;
            return true;
        }

        var reader = new SequenceReader<byte>(data);
        if (reader.TryAdvanceTo((byte)'\n'))
        {
            frameStart = reader.Position;
            return true;
        }

        frameStart = default;
        return false;
    }

    public void Complete()
    {
        while (_pending.Count > 0)
        {
            Emit(_pending.Dequeue(), LineReplyKind.None, text: null, responseTime: null, dataLost: false);
        }
    }

    private bool OnLine(StreamDirection direction, ReadOnlySequence<byte> sequence, long position)
    {
        Span<byte> buffer = stackalloc byte[LineProtocolParser.MaxLineLength];
        sequence.CopyTo(buffer);
        var line = LineSyntax.TrimCarriageReturn(buffer[..(int)sequence.Length]);

        if (line.StartsWith(LineSyntax.Get))
        {
            return OnRequest(direction, line[LineSyntax.Get.Length..], position);
        }

        if (line.StartsWith(LineSyntax.Value))
        {
            return OnReply(direction, LineReplyKind.Value, line[LineSyntax.Value.Length..], position);
        }

        if (line.SequenceEqual(LineSyntax.NotFound))
        {
            return OnReply(direction, LineReplyKind.NotFound, [], position);
        }

        if (line.StartsWith(LineSyntax.Error))
        {
            return OnReply(direction, LineReplyKind.Error, line[LineSyntax.Error.Length..], position);
        }

        return false;
    }

    private bool OnRequest(StreamDirection direction, ReadOnlySpan<byte> key, long position)
    {
        _requestDirection ??= direction;
        if (direction != _requestDirection || !LineSyntax.IsKey(key))
        {
            return false;
        }

        if (_pending.Count == LineProtocolParser.MaxPendingRequests)
        {
            Emit(_pending.Dequeue(), LineReplyKind.None, text: null, responseTime: null, dataLost: false);
        }

        _pending.Enqueue(new PendingRequest("GET", LineSyntax.ToText(key), _context.TimeAt(direction, position)));
        return true;
    }

    private bool OnReply(StreamDirection direction, LineReplyKind reply, ReadOnlySpan<byte> text, long position)
    {
        if (_requestDirection is { } requestDirection && direction == requestDirection)
        {
            return false;
        }

        if (_pending.Count == 0)
        {
            // Its request came before tracing started or was lost in a gap: nothing to pair it with.
            return true;
        }

        Emit(
            _pending.Dequeue(),
            reply,
            reply == LineReplyKind.NotFound ? null : LineSyntax.ToText(text),
            _context.TimeAt(direction, position),
            _pairingSuspect);
        if (_pending.Count == 0)
        {
            _pairingSuspect = false;
        }

        return true;
    }

    private void Emit(PendingRequest request, LineReplyKind reply, string? text, DateTimeOffset? responseTime, bool dataLost)
    {
        _context.Emit(new LineProtocolRecord
        {
            Connection = _context.Connection,
            Role = _requestDirection == StreamDirection.Egress ? ConnectionRole.Client : ConnectionRole.Server,
            RequestTime = request.Time,
            ResponseTime = responseTime,
            DataLost = dataLost,
            Command = request.Command,
            Key = request.Key,
            Reply = reply,
            Text = text,
        });
    }

    private readonly record struct PendingRequest(string Command, string Key, DateTimeOffset Time);
}
