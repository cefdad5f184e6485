using System.Buffers;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>What <see cref="RespReader.Read"/> reached.</summary>
internal enum RespReadStatus
{
    /// <summary>All bytes were used; the value in progress needs more.</summary>
    NeedMore,

    /// <summary>A top-level value is complete: take it with <see cref="RespReader.TakeValue"/>.</summary>
    Complete,

    /// <summary>The bytes at the offset are not RESP.</summary>
    Invalid,
}

/// <summary>
/// One direction's RESP framing, resumable at any byte: a stack of open aggregates (how many elements
/// each still expects) and, inside a bulk value, how many payload bytes remain. Header lines are read
/// only when complete; bulk payloads are consumed as they arrive and handed to the
/// <see cref="RespValueBuilder"/>, which keeps only what a record needs — a 100 MB value costs nothing
/// but its length.
/// </summary>
/// <remarks>
/// Framing follows https://redis.io/docs/latest/develop/reference/protocol-spec/. Streamed RESP3
/// strings and aggregates (<c>$?</c>, <c>*?</c>) are not supported: Redis never sends them; they are Invalid.
/// </remarks>
internal sealed class RespReader
{
    private readonly RedisParserOptions _options;
    private readonly Frame[] _stack;
    private byte[] _line = new byte[256];
    private int _depth;
    private int _attributes;
    private Phase _phase;
    private long _payloadRemaining;
    private int _terminatorRemaining;
    private RespValue? _complete;

    public RespReader(RedisParserOptions options, bool commandSide)
    {
        _options = options;
        _stack = new Frame[options.MaxNestingDepth];
        Builder = new RespValueBuilder(options, commandSide);
    }

    private enum Phase : byte
    {
        Line,
        Payload,
        Terminator,
    }

    public RespValueBuilder Builder { get; }

    /// <summary>Whether a value has begun and is not complete.</summary>
    public bool InValue { get; private set; }

    /// <summary>Whether the reader is inside a bulk payload (where a gap of known size can be absorbed).</summary>
    public long PayloadRemaining => _phase == Phase.Payload ? _payloadRemaining : 0;

    /// <summary>Whether a top-level line that is not RESP is read as an inline command.</summary>
    public bool AllowInline { get; set; }

    /// <summary>Forgets the value in progress (after a loss).</summary>
    public void Reset()
    {
        _depth = 0;
        _attributes = 0;
        _phase = Phase.Line;
        _payloadRemaining = 0;
        _terminatorRemaining = 0;
        InValue = false;
        _complete = null;
    }

    public RespValue TakeValue()
    {
        var value = _complete!;
        _complete = null;
        return value;
    }

    /// <summary>Reads from <paramref name="offset"/> until a top-level value completes, the bytes run out, or they are not RESP.</summary>
    /// <param name="data">The unconsumed bytes.</param>
    /// <param name="position">Stream position of <paramref name="data"/>'s first byte.</param>
    /// <param name="offset">Where to read from; moved past what was used.</param>
    public RespReadStatus Read(in ReadOnlySequence<byte> data, long position, ref long offset)
    {
        while (true)
        {
            switch (_phase)
            {
                case Phase.Payload:
                    {
                        long take = Math.Min(_payloadRemaining, data.Length - offset);
                        if (take > 0)
                        {
                            Builder.BulkBytes(data.Slice(offset, take));
                            offset += take;
                            _payloadRemaining -= take;
                        }

                        if (_payloadRemaining > 0)
                        {
                            return RespReadStatus.NeedMore;
                        }

                        _phase = Phase.Terminator;
                        _terminatorRemaining = 2;
                        break;
                    }

                case Phase.Terminator:
                    while (_terminatorRemaining > 0)
                    {
                        if (offset >= data.Length)
                        {
                            return RespReadStatus.NeedMore;
                        }

                        byte expected = _terminatorRemaining == 2 ? (byte)'\r' : (byte)'\n';
                        if (ByteAt(data, offset) != expected)
                        {
                            return RespReadStatus.Invalid;
                        }

                        offset++;
                        _terminatorRemaining--;
                    }

                    _phase = Phase.Line;
                    Builder.EndBulk();
                    if (CompleteElement())
                    {
                        return Finish(position + offset);
                    }

                    break;

                default:
                    {
                        if (offset >= data.Length)
                        {
                            return RespReadStatus.NeedMore;
                        }

                        if (!InValue)
                        {
                            InValue = true;
                            Builder.Begin(position + offset);
                        }

                        var found = FindLine(data, offset, out var line, out int lineLength);
                        if (found != RespReadStatus.Complete)
                        {
                            return found;
                        }

                        var status = ReadHeader(line);
                        if (status == HeaderStatus.Invalid)
                        {
                            return RespReadStatus.Invalid;
                        }

                        offset += lineLength;
                        if (status == HeaderStatus.Blank)
                        {
                            InValue = false;
                        }
                        else if (status == HeaderStatus.ElementDone && CompleteElement())
                        {
                            return Finish(position + offset);
                        }

                        break;
                    }
            }
        }
    }

    /// <summary>
    /// Bytes right after what was consumed were not captured. Absorbed when they fall inside a bulk
    /// payload; otherwise the reader lost its place and resets.
    /// </summary>
    public bool OnGap(long length)
    {
        if (_phase == Phase.Payload && length <= _payloadRemaining)
        {
            Builder.BulkGap();
            _payloadRemaining -= length;
            if (_payloadRemaining == 0)
            {
                _phase = Phase.Terminator;
                _terminatorRemaining = 2;
            }

            return true;
        }

        Reset();
        return false;
    }

    private RespReadStatus Finish(long end)
    {
        InValue = false;
        _complete = Builder.Finish(end);
        return RespReadStatus.Complete;
    }

    private static byte ByteAt(in ReadOnlySequence<byte> data, long offset) =>
        data.IsSingleSegment ? data.FirstSpan[(int)offset] : data.Slice(offset, 1).FirstSpan[0];

    /// <summary>Finds the line at <paramref name="offset"/> (without its line end) when it is complete.</summary>
    private RespReadStatus FindLine(in ReadOnlySequence<byte> data, long offset, out ReadOnlySpan<byte> line, out int lineLength)
    {
        line = default;
        lineLength = 0;
        int max = _options.MaxLineBytes;
        if (data.IsSingleSegment)
        {
            var span = data.FirstSpan[(int)offset..];
            var window = span.Length > max ? span[..max] : span;
            int end = window.IndexOf((byte)'\n');
            if (end < 0)
            {
                return window.Length >= max ? RespReadStatus.Invalid : RespReadStatus.NeedMore;
            }

            line = span[..end];
            lineLength = end + 1;
        }
        else
        {
            var rest = data.Slice(offset);
            var window = rest.Length > max ? rest.Slice(0, max) : rest;
            var end = window.PositionOf((byte)'\n');
            if (end is null)
            {
                return window.Length >= max ? RespReadStatus.Invalid : RespReadStatus.NeedMore;
            }

            var bytes = window.Slice(0, end.Value);
            int length = (int)bytes.Length;
            if (_line.Length < length)
            {
                _line = new byte[Math.Min(Math.Max(length, _line.Length * 2), max)];
            }

            bytes.CopyTo(_line);
            line = _line.AsSpan(0, length);
            lineLength = length + 1;
        }

        return RespReadStatus.Complete;
    }

    private enum HeaderStatus
    {
        Invalid,
        ElementDone,
        Opened,
        Blank,
    }

    private HeaderStatus ReadHeader(ReadOnlySpan<byte> line)
    {
        bool crlf = line.Length > 0 && line[^1] == (byte)'\r';
        if (line.Length > 0 && !RespTypes.IsTypeByte(line[0]) && _depth == 0 && AllowInline)
        {
            return ReadInline(crlf ? line[..^1] : line);
        }

        if (!crlf || line.Length < 2)
        {
            return line.Length == 0 || (line.Length == 1 && crlf) ? (_depth == 0 && AllowInline ? HeaderStatus.Blank : HeaderStatus.Invalid) : HeaderStatus.Invalid;
        }

        var type = (RespType)line[0];
        var body = line[1..^1];
        bool capture = _attributes == 0;
        int depth = _depth;
        long index = depth == 0 ? 0 : _stack[depth - 1].Total - _stack[depth - 1].Remaining;
        switch (type)
        {
            case RespType.SimpleString:
            case RespType.SimpleError:
                if (capture)
                {
                    Builder.OnLine(depth, index, type, body);
                }

                return HeaderStatus.ElementDone;

            case RespType.Integer:
            case RespType.BigNumber:
                if (!TryParseInteger(body, out _) && !(type == RespType.BigNumber && IsBigNumber(body)))
                {
                    return HeaderStatus.Invalid;
                }

                goto case RespType.SimpleString;

            case RespType.Double:
                if (!IsDouble(body))
                {
                    return HeaderStatus.Invalid;
                }

                goto case RespType.SimpleString;

            case RespType.Boolean:
                if (body.Length != 1 || (body[0] != (byte)'t' && body[0] != (byte)'f'))
                {
                    return HeaderStatus.Invalid;
                }

                goto case RespType.SimpleString;

            case RespType.Null:
                if (body.Length != 0)
                {
                    return HeaderStatus.Invalid;
                }

                if (capture)
                {
                    Builder.OnNull(depth, index, type);
                }

                return HeaderStatus.ElementDone;

            case RespType.BulkString:
            case RespType.BulkError:
            case RespType.VerbatimString:
                {
                    if (!TryParseInteger(body, out long length) || length < -1 || length > _options.MaxBulkLength
                        || (length == -1 && type != RespType.BulkString))
                    {
                        return HeaderStatus.Invalid;
                    }

                    if (length == -1)
                    {
                        if (capture)
                        {
                            Builder.OnNull(depth, index, type);
                        }

                        return HeaderStatus.ElementDone;
                    }

                    if (capture)
                    {
                        Builder.BeginBulk(depth, index, type, length);
                    }
                    else
                    {
                        Builder.BeginBulk(int.MaxValue, 0, type, length);
                    }

                    _phase = Phase.Payload;
                    _payloadRemaining = length;
                    return HeaderStatus.Opened;
                }

            case RespType.Array:
            case RespType.Set:
            case RespType.Push:
            case RespType.Map:
            case RespType.Attribute:
                {
                    if (!TryParseInteger(body, out long count) || count < -1 || count > int.MaxValue
                        || (count == -1 && type != RespType.Array))
                    {
                        return HeaderStatus.Invalid;
                    }

                    if (count == -1)
                    {
                        if (capture)
                        {
                            Builder.OnNull(depth, index, type);
                        }

                        return HeaderStatus.ElementDone;
                    }

                    bool attribute = type == RespType.Attribute;
                    if (capture && !attribute)
                    {
                        Builder.OnAggregate(depth, index, type, count);
                    }

                    long elements = type is RespType.Map or RespType.Attribute ? count * 2 : count;
                    if (elements == 0)
                    {
                        // An empty attribute describes the value that follows; it is not one.
                        return attribute ? HeaderStatus.Opened : HeaderStatus.ElementDone;
                    }

                    if (_depth >= _stack.Length)
                    {
                        return HeaderStatus.Invalid;
                    }

                    _stack[_depth++] = new Frame(type, elements);
                    if (attribute)
                    {
                        _attributes++;
                    }

                    return HeaderStatus.Opened;
                }

            default:
                return HeaderStatus.Invalid;
        }
    }

    /// <summary>An inline command: words separated by spaces, read as an array of bulk strings.</summary>
    private HeaderStatus ReadInline(ReadOnlySpan<byte> line)
    {
        int words = 0;
        bool inWord = false;
        foreach (byte b in line)
        {
            if (b is < 0x20 and not (byte)'\t' || b == 0x7f)
            {
                return HeaderStatus.Invalid;
            }

            bool space = b is (byte)' ' or (byte)'\t';
            if (!space && !inWord)
            {
                words++;
            }

            inWord = !space;
        }

        if (words == 0)
        {
            return HeaderStatus.Blank;
        }

        Builder.OnAggregate(0, 0, RespType.Inline, words);
        int index = 0;
        int start = -1;
        for (int i = 0; i <= line.Length; i++)
        {
            bool space = i == line.Length || line[i] is (byte)' ' or (byte)'\t';
            if (!space && start < 0)
            {
                start = i;
            }
            else if (space && start >= 0)
            {
                var word = line[start..i];
                Builder.BeginBulk(1, index++, RespType.BulkString, word.Length);
                Builder.BulkBytes(new ReadOnlySequence<byte>(word.ToArray()));
                Builder.EndBulk();
                start = -1;
            }
        }

        return HeaderStatus.ElementDone;
    }

    /// <summary>The element just read is complete: closes every aggregate it completes; true when the top-level value is done.</summary>
    private bool CompleteElement()
    {
        while (_depth > 0)
        {
            ref var frame = ref _stack[_depth - 1];
            if (--frame.Remaining > 0)
            {
                return false;
            }

            _depth--;
            if (frame.Type == RespType.Attribute)
            {
                // The attribute is done; the value it describes follows and takes its place.
                _attributes--;
                return false;
            }
        }

        return true;
    }

    internal static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        bool negative = text.Length > 0 && text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.Length is 0 or > 18)
        {
            return false;
        }

        foreach (byte b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        if (negative)
        {
            value = -value;
        }

        return true;
    }

    private static bool IsBigNumber(ReadOnlySpan<byte> text)
    {
        var digits = text.Length > 0 && text[0] is (byte)'-' or (byte)'+' ? text[1..] : text;
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static bool IsDouble(ReadOnlySpan<byte> text) =>
        text.Length > 0 && (text.SequenceEqual("inf"u8) || text.SequenceEqual("-inf"u8) || text.SequenceEqual("nan"u8)
            || !text.ContainsAnyExcept(RespTypes.DoubleBytes));

    private record struct Frame(RespType Type, long Remaining)
    {
        public long Total { get; } = Remaining;
    }
}
