using System.Buffers.Text;
using System.Text;

namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>
/// Parses one text-protocol line (without its line end) into a command or a response
/// (https://github.com/memcached/memcached/blob/master/doc/protocol.txt). Commands are lowercase, as the
/// server requires; responses uppercase.
/// </summary>
internal static class MemcachedTextLine
{
    private enum Shape
    {
        Unknown,
        Retrieval,
        RetrievalWithTime,
        Storage,
        Cas,
        KeyOnly,
        KeyAndNumber,
        NoKey,
        Meta,
        MetaWithSize,
        MetaNoKey,
        Value,
        MetaValue,
        MetaStatus,
        Error,
        Version,
        Plain,
    }

    /// <summary>Whether the line's first word is a command or response this parser knows.</summary>
    public static bool StartsWithKnownWord(ReadOnlySpan<byte> line, out bool isCommand)
    {
        var shape = Classify(FirstWord(line), out isCommand);
        return shape != Shape.Unknown;
    }

    public static bool TryParse(ReadOnlySpan<byte> line, MemcachedParserOptions options, out MemcachedFrame? frame)
    {
        frame = null;
        var tokens = new Tokens(line);
        if (!tokens.Next(out var word))
        {
            return false;
        }

        var shape = Classify(word, out bool isCommand);
        if (shape == Shape.Unknown)
        {
            if (!IsNumber(word))
            {
                return false;
            }

            // An incr/decr result.
            frame = new MemcachedFrame { Word = Encoding.ASCII.GetString(word) };
            return !tokens.Next(out _);
        }

        var dialect = shape is Shape.Meta or Shape.MetaWithSize or Shape.MetaNoKey or Shape.MetaValue or Shape.MetaStatus
            ? MemcachedDialect.Meta : MemcachedDialect.Text;
        var result = new MemcachedFrame { Word = Encoding.ASCII.GetString(word), IsCommand = isCommand, Dialect = dialect };
        if (!Fill(result, shape, ref tokens, options))
        {
            return false;
        }

        frame = result;
        return true;
    }

    private static bool Fill(MemcachedFrame frame, Shape shape, ref Tokens tokens, MemcachedParserOptions options)
    {
        ReadOnlySpan<byte> token;
        switch (shape)
        {
            case Shape.RetrievalWithTime:
                if (!tokens.Next(out _))
                {
                    return false;
                }

                goto case Shape.Retrieval;
            case Shape.Retrieval:
                while (tokens.Next(out token))
                {
                    frame.AddKey(token, options);
                }

                return frame.KeyCount > 0;
            case Shape.Storage:
            case Shape.Cas:
                // <key> <flags> <exptime> <bytes> [<cas unique>] [noreply]
                if (!tokens.Next(out token))
                {
                    return false;
                }

                frame.AddKey(token, options);
                if (!tokens.Next(out _) || !tokens.Next(out _) || !tokens.Next(out token) || !TrySize(token, options, out long size))
                {
                    return false;
                }

                frame.ValueSize = size;
                if (shape == Shape.Cas && !tokens.Next(out _))
                {
                    return false;
                }

                return Rest(frame, ref tokens);
            case Shape.KeyOnly:
            case Shape.KeyAndNumber:
                if (!tokens.Next(out token))
                {
                    return false;
                }

                frame.AddKey(token, options);
                return Rest(frame, ref tokens);
            case Shape.NoKey:
                return Rest(frame, ref tokens);
            case Shape.Meta:
            case Shape.MetaWithSize:
                if (!tokens.Next(out token))
                {
                    return false;
                }

                frame.AddKey(token, options);
                if (shape == Shape.MetaWithSize)
                {
                    if (!tokens.Next(out token) || !TrySize(token, options, out long dataLength))
                    {
                        return false;
                    }

                    frame.ValueSize = dataLength;
                }

                MetaFlags(frame, ref tokens, options);
                return true;
            case Shape.MetaNoKey:
                return !tokens.Next(out _);
            case Shape.Value:
                // VALUE <key> <flags> <bytes> [<cas unique>]
                if (!tokens.Next(out token))
                {
                    return false;
                }

                frame.AddKey(token, options);
                if (!tokens.Next(out _) || !tokens.Next(out token) || !TrySize(token, options, out long valueSize))
                {
                    return false;
                }

                frame.ValueSize = valueSize;
                return true;
            case Shape.MetaValue:
                if (!tokens.Next(out token) || !TrySize(token, options, out long metaSize))
                {
                    return false;
                }

                frame.ValueSize = metaSize;
                MetaFlags(frame, ref tokens, options);
                return true;
            case Shape.MetaStatus:
                MetaFlags(frame, ref tokens, options);
                return true;
            case Shape.Error:
            case Shape.Version:
                frame.Message = Encoding.UTF8.GetString(tokens.Rest().TrimEnd((byte)' '));
                return true;
            default:
                // STAT lines and the like: the rest is not needed.
                return true;
        }
    }

    /// <summary>Trailing <c>noreply</c> (and arguments the record does not keep).</summary>
    private static bool Rest(MemcachedFrame frame, ref Tokens tokens)
    {
        while (tokens.Next(out var token))
        {
            if (token.SequenceEqual("noreply"u8))
            {
                frame.NoReply = true;
            }
        }

        return true;
    }

    /// <summary>Meta flags: <c>q</c> (quiet), <c>O</c> (opaque), <c>k</c> (the key, in responses).</summary>
    private static void MetaFlags(MemcachedFrame frame, ref Tokens tokens, MemcachedParserOptions options)
    {
        while (tokens.Next(out var flag))
        {
            switch (flag[0])
            {
                case (byte)'q':
                    frame.NoReply = true;
                    break;
                case (byte)'O':
                    frame.Opaque = Encoding.ASCII.GetString(flag[1..]);
                    break;
                case (byte)'k' when !frame.IsCommand && flag.Length > 1:
                    frame.AddKey(flag[1..], options);
                    break;
            }
        }
    }

    private static ReadOnlySpan<byte> FirstWord(ReadOnlySpan<byte> line)
    {
        int end = line.IndexOfAny((byte)' ', (byte)'\r', (byte)'\n');
        return end < 0 ? line : line[..end];
    }

    private static Shape Classify(ReadOnlySpan<byte> word, out bool isCommand)
    {
        isCommand = true;
        switch (word.Length)
        {
            case 2:
                if (word[0] == (byte)'m')
                {
                    return word[1] switch
                    {
                        (byte)'g' or (byte)'d' or (byte)'a' or (byte)'e' => Shape.Meta,
                        (byte)'s' => Shape.MetaWithSize,
                        (byte)'n' => Shape.MetaNoKey,
                        _ => Shape.Unknown,
                    };
                }

                break;
            case 3:
                if (word.SequenceEqual("get"u8))
                {
                    return Shape.Retrieval;
                }

                if (word.SequenceEqual("gat"u8))
                {
                    return Shape.RetrievalWithTime;
                }

                if (word.SequenceEqual("set"u8) || word.SequenceEqual("add"u8))
                {
                    return Shape.Storage;
                }

                if (word.SequenceEqual("cas"u8))
                {
                    return Shape.Cas;
                }

                break;
            case 4:
                if (word.SequenceEqual("gets"u8))
                {
                    return Shape.Retrieval;
                }

                if (word.SequenceEqual("gats"u8))
                {
                    return Shape.RetrievalWithTime;
                }

                if (word.SequenceEqual("incr"u8) || word.SequenceEqual("decr"u8))
                {
                    return Shape.KeyAndNumber;
                }

                if (word.SequenceEqual("quit"u8))
                {
                    return Shape.NoKey;
                }

                break;
            case 5:
                if (word.SequenceEqual("touch"u8))
                {
                    return Shape.KeyAndNumber;
                }

                if (word.SequenceEqual("stats"u8))
                {
                    return Shape.NoKey;
                }

                break;
            case 6:
                if (word.SequenceEqual("delete"u8))
                {
                    return Shape.KeyOnly;
                }

                if (word.SequenceEqual("append"u8))
                {
                    return Shape.Storage;
                }

                break;
            case 7:
                if (word.SequenceEqual("replace"u8) || word.SequenceEqual("prepend"u8))
                {
                    return Shape.Storage;
                }

                if (word.SequenceEqual("version"u8))
                {
                    return Shape.NoKey;
                }

                break;
            case 9:
                if (word.SequenceEqual("flush_all"u8) || word.SequenceEqual("verbosity"u8))
                {
                    return Shape.NoKey;
                }

                break;
        }

        isCommand = false;
        return word switch
        {
            _ when word.SequenceEqual("VALUE"u8) => Shape.Value,
            _ when word.SequenceEqual("VA"u8) => Shape.MetaValue,
            _ when word.SequenceEqual("HD"u8) || word.SequenceEqual("EN"u8) || word.SequenceEqual("NF"u8) || word.SequenceEqual("NS"u8)
                || word.SequenceEqual("EX"u8) || word.SequenceEqual("MN"u8) || word.SequenceEqual("ME"u8) => Shape.MetaStatus,
            _ when word.SequenceEqual("ERROR"u8) || word.SequenceEqual("CLIENT_ERROR"u8) || word.SequenceEqual("SERVER_ERROR"u8) => Shape.Error,
            _ when word.SequenceEqual("VERSION"u8) => Shape.Version,
            _ when word.SequenceEqual("END"u8) || word.SequenceEqual("STAT"u8) || word.SequenceEqual("STORED"u8) || word.SequenceEqual("NOT_STORED"u8)
                || word.SequenceEqual("EXISTS"u8) || word.SequenceEqual("NOT_FOUND"u8) || word.SequenceEqual("DELETED"u8)
                || word.SequenceEqual("TOUCHED"u8) || word.SequenceEqual("OK"u8) => Shape.Plain,
            _ => Shape.Unknown,
        };
    }

    private static bool IsNumber(ReadOnlySpan<byte> word) =>
        word.Length is > 0 and <= 20 && word.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

    private static bool TrySize(ReadOnlySpan<byte> digits, MemcachedParserOptions options, out long size) =>
        Utf8Parser.TryParse(digits, out size, out int used) && used == digits.Length && size >= 0 && size <= options.MaxValueBytes;

    /// <summary>Space-separated tokens of a line.</summary>
    private ref struct Tokens(ReadOnlySpan<byte> line)
    {
        private ReadOnlySpan<byte> _rest = line;

        public bool Next(out ReadOnlySpan<byte> token)
        {
            _rest = _rest.TrimStart((byte)' ');
            if (_rest.IsEmpty)
            {
                token = default;
                return false;
            }

            int end = _rest.IndexOf((byte)' ');
            token = end < 0 ? _rest : _rest[..end];
            _rest = end < 0 ? default : _rest[end..];
            return true;
        }

        public ReadOnlySpan<byte> Rest() => _rest.TrimStart((byte)' ');
    }
}
