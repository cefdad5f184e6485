using System.Buffers;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>Finds where the next RESP value starts in bytes that follow a loss, and checks value shapes.</summary>
internal static class RedisFrameFinder
{
    /// <summary>Most bytes searched in one call; a resync beyond this waits for the caller to drop bytes.</summary>
    private const int MaxSearchBytes = 1 << 20;

    /// <summary>Longest header line a resync point may start with (a reply line can be longer; then it is skipped).</summary>
    private const int MaxHeaderProbe = 512;

    public enum Shape
    {
        Invalid,
        Incomplete,
        Valid,
    }

    /// <summary>
    /// Finds a value start. Commands: a command array, <c>*N\r\n$M\r\nNAME\r\n</c> with a known
    /// command name. Replies (<paramref name="allowReplies"/>): a well-formed header line at the start of
    /// the bytes or right after a CRLF.
    /// </summary>
    public static bool TryFind(in ReadOnlySequence<byte> data, bool commands, bool allowReplies, out long offset)
    {
        if (data.IsSingleSegment)
        {
            return TryFind(data.FirstSpan, commands, allowReplies, out offset);
        }

        int length = (int)Math.Min(data.Length, MaxSearchBytes);
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.Slice(0, length).CopyTo(rented);
            return TryFind(rented.AsSpan(0, length), commands, allowReplies, out offset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static bool TryFind(ReadOnlySpan<byte> data, bool commands, bool allowReplies, out long offset)
    {
        if (data.Length > MaxSearchBytes)
        {
            data = data[..MaxSearchBytes];
        }

        for (int at = 0; at < data.Length; at++)
        {
            if (at > 0 && data[at - 1] != (byte)'\n')
            {
                // Values start at the beginning of the bytes or after a line end; jump to the next one.
                int next = data[at..].IndexOf((byte)'\n');
                if (next < 0)
                {
                    break;
                }

                at += next;
                continue;
            }

            var rest = data[at..];
            if (commands && rest[0] == (byte)'*')
            {
                var shape = CheckCommand(rest, out _);
                if (shape == Shape.Valid)
                {
                    offset = at;
                    return true;
                }

                if (shape == Shape.Incomplete)
                {
                    break;
                }
            }
            else if (allowReplies && RespTypes.IsTypeByte(rest[0]))
            {
                var shape = CheckHeader(rest, strict: true, out _);
                if (shape == Shape.Valid)
                {
                    offset = at;
                    return true;
                }

                if (shape == Shape.Incomplete)
                {
                    break;
                }
            }
        }

        offset = 0;
        return false;
    }

    /// <summary>Checks <c>*N\r\n$M\r\nNAME\r\n</c> with a known command name.</summary>
    public static Shape CheckCommand(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        var array = CheckHeader(data, strict: true, out int arrayHeader);
        if (array != Shape.Valid || data[0] != (byte)'*')
        {
            return array == Shape.Valid ? Shape.Invalid : array;
        }

        if (!RespReader.TryParseInteger(data[1..(arrayHeader - 2)], out long count) || count < 1)
        {
            return Shape.Invalid;
        }

        var rest = data[arrayHeader..];
        if (rest.IsEmpty)
        {
            return Shape.Incomplete;
        }

        if (rest[0] != (byte)'$')
        {
            return Shape.Invalid;
        }

        var bulk = CheckHeader(rest, strict: true, out int bulkHeader);
        if (bulk != Shape.Valid)
        {
            return bulk;
        }

        if (!RespReader.TryParseInteger(rest[1..(bulkHeader - 2)], out long nameLength) || nameLength is < 1 or > 20)
        {
            return Shape.Invalid;
        }

        var name = rest[bulkHeader..];
        if (name.Length < nameLength + 2)
        {
            return Shape.Incomplete;
        }

        if (name[(int)nameLength] != (byte)'\r' || name[(int)nameLength + 1] != (byte)'\n' || !RedisCommandNames.IsKnown(name[..(int)nameLength]))
        {
            return Shape.Invalid;
        }

        length = arrayHeader + bulkHeader + (int)nameLength + 2;
        return Shape.Valid;
    }

    /// <summary>Checks that <paramref name="data"/> starts with a well-formed RESP header line.</summary>
    /// <param name="data">Bytes starting with a type byte.</param>
    /// <param name="strict">Simple strings and errors must start with a letter (as Redis's own do).</param>
    /// <param name="length">The header line's length with its CRLF.</param>
    public static Shape CheckHeader(ReadOnlySpan<byte> data, bool strict, out int length)
    {
        length = 0;
        if (data.IsEmpty || !RespTypes.IsTypeByte(data[0]))
        {
            return Shape.Invalid;
        }

        var window = data.Length > MaxHeaderProbe ? data[..MaxHeaderProbe] : data;
        int end = window.IndexOf((byte)'\n');
        if (end < 0)
        {
            // Judge what is there so far, so that garbage is rejected without waiting.
            return window.Length >= MaxHeaderProbe || !PrefixPlausible(window, strict) ? Shape.Invalid : Shape.Incomplete;
        }

        if (end < 2 || window[end - 1] != (byte)'\r')
        {
            return Shape.Invalid;
        }

        var type = (RespType)data[0];
        var body = window[1..(end - 1)];
        length = end + 1;
        bool valid = type switch
        {
            RespType.SimpleString or RespType.SimpleError =>
                !body.ContainsAnyInRange((byte)0, (byte)0x1f) && (!strict || (body.Length > 0 && IsLetter(body[0]))),
            RespType.Null => body.IsEmpty,
            RespType.Boolean => body.Length == 1 && body[0] is (byte)'t' or (byte)'f',
            RespType.Double => body.Length > 0 && !body.ContainsAnyExcept(RespTypes.DoubleBytes),
            RespType.BigNumber or RespType.Integer => RespReader.TryParseInteger(body, out _) || (type == RespType.BigNumber && body.Length > 0 && !body.ContainsAnyExcept(RespTypes.BigNumberBytes)),
            RespType.BulkString or RespType.Array => RespReader.TryParseInteger(body, out long n) && n >= -1,
            _ => RespReader.TryParseInteger(body, out long m) && m >= 0,
        };
        return valid ? Shape.Valid : Shape.Invalid;
    }

    private static bool PrefixPlausible(ReadOnlySpan<byte> partial, bool strict)
    {
        var type = (RespType)partial[0];
        var body = partial[1..];
        if (body.Length > 0 && body[^1] == (byte)'\r')
        {
            body = body[..^1];
        }

        if (type is RespType.SimpleString or RespType.SimpleError)
        {
            return !body.ContainsAnyInRange((byte)0, (byte)0x1f) && (!strict || body.IsEmpty || IsLetter(body[0]));
        }

        if (type is RespType.Null)
        {
            return body.IsEmpty;
        }

        if (type is RespType.Boolean)
        {
            return body.IsEmpty || (body.Length == 1 && body[0] is (byte)'t' or (byte)'f');
        }

        if (type is RespType.Double)
        {
            return !body.ContainsAnyExcept(RespTypes.DoubleBytes);
        }

        var digits = body.Length > 0 && body[0] == (byte)'-' ? body[1..] : body;
        return digits.Length <= 18 && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';
}
