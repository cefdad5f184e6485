using System.Buffers.Text;
using System.Text;

namespace Ebpf.ProtocolTracing.Nats;

/// <summary>
/// Parses one control line (without its line end) into a <see cref="NatsFrame"/>. Operation names are
/// matched without case, fields are separated by spaces or tabs, as the server accepts them.
/// </summary>
internal static class NatsLineParser
{
    private const int MaxFields = 6;

    /// <summary>Which operation a line starts with, or <see langword="null"/> when none.</summary>
    public static NatsOperation? Identify(ReadOnlySpan<byte> line, out int nameLength)
    {
        int end = 0;
        while (end < line.Length && line[end] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            end++;
        }

        nameLength = end;
        var name = line[..end];
        return end switch
        {
            3 when Ascii.EqualsIgnoreCase(name, "PUB"u8) => NatsOperation.Pub,
            3 when Ascii.EqualsIgnoreCase(name, "SUB"u8) => NatsOperation.Sub,
            3 when Ascii.EqualsIgnoreCase(name, "MSG"u8) => NatsOperation.Msg,
            3 when Ascii.EqualsIgnoreCase(name, "+OK"u8) => NatsOperation.Ok,
            4 when Ascii.EqualsIgnoreCase(name, "INFO"u8) => NatsOperation.Info,
            4 when Ascii.EqualsIgnoreCase(name, "HPUB"u8) => NatsOperation.HPub,
            4 when Ascii.EqualsIgnoreCase(name, "HMSG"u8) => NatsOperation.HMsg,
            4 when Ascii.EqualsIgnoreCase(name, "PING"u8) => NatsOperation.Ping,
            4 when Ascii.EqualsIgnoreCase(name, "PONG"u8) => NatsOperation.Pong,
            4 when Ascii.EqualsIgnoreCase(name, "-ERR"u8) => NatsOperation.Err,
            5 when Ascii.EqualsIgnoreCase(name, "UNSUB"u8) => NatsOperation.Unsub,
            7 when Ascii.EqualsIgnoreCase(name, "CONNECT"u8) => NatsOperation.Connect,
            _ => null,
        };
    }

    /// <summary>Parses a whole line; <see langword="false"/> when it is not a valid control line.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, NatsParserOptions options, out NatsFrame? frame)
    {
        frame = null;
        if (Identify(line, out int nameLength) is not { } operation)
        {
            return false;
        }

        var rest = line[nameLength..];
        switch (operation)
        {
            case NatsOperation.Info:
            case NatsOperation.Connect:
                frame = new NatsFrame { Operation = operation, Json = NatsJsonFields.Read(TrimStart(rest), options.RedactSecrets) };
                return true;
            case NatsOperation.Err:
                frame = new NatsFrame { Operation = operation, ErrorMessage = ErrorText(TrimStart(rest)) };
                return true;
            case NatsOperation.Ping:
            case NatsOperation.Pong:
            case NatsOperation.Ok:
                if (TrimStart(rest).Length != 0)
                {
                    return false;
                }

                frame = new NatsFrame { Operation = operation };
                return true;
        }

        Span<int> starts = stackalloc int[MaxFields];
        Span<int> lengths = stackalloc int[MaxFields];
        int count = Split(rest, starts, lengths);
        if (count < 0)
        {
            return false;
        }

        switch (operation)
        {
            case NatsOperation.Pub when count is 2 or 3:
                if (!TrySize(Slice(rest, starts, lengths, count - 1), options, out long pubSize))
                {
                    return false;
                }

                frame = new NatsFrame { Operation = operation, Subject = Text(rest, starts, lengths, 0), ReplyTo = count == 3 ? Text(rest, starts, lengths, 1) : null, TotalSize = pubSize };
                return true;
            case NatsOperation.HPub when count is 3 or 4:
                if (!TrySizes(Slice(rest, starts, lengths, count - 2), Slice(rest, starts, lengths, count - 1), options, out long hpubHeaders, out long hpubTotal))
                {
                    return false;
                }

                frame = new NatsFrame
                {
                    Operation = operation, Subject = Text(rest, starts, lengths, 0), ReplyTo = count == 4 ? Text(rest, starts, lengths, 1) : null, HeaderSize = hpubHeaders, TotalSize = hpubTotal,
                };
                return true;
            case NatsOperation.Msg when count is 3 or 4:
                if (!TrySize(Slice(rest, starts, lengths, count - 1), options, out long msgSize))
                {
                    return false;
                }

                frame = new NatsFrame
                {
                    Operation = operation, Subject = Text(rest, starts, lengths, 0), Sid = Text(rest, starts, lengths, 1), ReplyTo = count == 4 ? Text(rest, starts, lengths, 2) : null, TotalSize = msgSize,
                };
                return true;
            case NatsOperation.HMsg when count is 4 or 5:
                if (!TrySizes(Slice(rest, starts, lengths, count - 2), Slice(rest, starts, lengths, count - 1), options, out long hmsgHeaders, out long hmsgTotal))
                {
                    return false;
                }

                frame = new NatsFrame
                {
                    Operation = operation, Subject = Text(rest, starts, lengths, 0), Sid = Text(rest, starts, lengths, 1), ReplyTo = count == 5 ? Text(rest, starts, lengths, 2) : null,
                    HeaderSize = hmsgHeaders, TotalSize = hmsgTotal,
                };
                return true;
            case NatsOperation.Sub when count is 2 or 3:
                frame = new NatsFrame { Operation = operation, Subject = Text(rest, starts, lengths, 0), QueueGroup = count == 3 ? Text(rest, starts, lengths, 1) : null, Sid = Text(rest, starts, lengths, count - 1) };
                return true;
            case NatsOperation.Unsub when count is 1 or 2:
                long? max = null;
                if (count == 2)
                {
                    if (!Utf8Parser.TryParse(Slice(rest, starts, lengths, 1), out long parsed, out int used) || used != lengths[1] || parsed < 0)
                    {
                        return false;
                    }

                    max = parsed;
                }

                frame = new NatsFrame { Operation = operation, Sid = Text(rest, starts, lengths, 0), MaxMessages = max };
                return true;
            default:
                return false;
        }
    }

    private static string Text(ReadOnlySpan<byte> text, Span<int> starts, Span<int> lengths, int i) => Encoding.UTF8.GetString(text.Slice(starts[i], lengths[i]));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> text, Span<int> starts, Span<int> lengths, int i) => text.Slice(starts[i], lengths[i]);

    /// <summary>Splits on runs of spaces and tabs; -1 when there are more fields than any operation has.</summary>
    private static int Split(ReadOnlySpan<byte> text, Span<int> starts, Span<int> lengths)
    {
        int count = 0;
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] is (byte)' ' or (byte)'\t')
            {
                i++;
                continue;
            }

            if (count == starts.Length)
            {
                return -1;
            }

            int start = i;
            while (i < text.Length && text[i] is not ((byte)' ' or (byte)'\t'))
            {
                i++;
            }

            starts[count] = start;
            lengths[count] = i - start;
            count++;
        }

        return count;
    }

    private static bool TrySize(ReadOnlySpan<byte> digits, NatsParserOptions options, out long size) =>
        Utf8Parser.TryParse(digits, out size, out int used) && used == digits.Length && size >= 0 && size <= options.MaxMessageBytes;

    private static bool TrySizes(ReadOnlySpan<byte> headerDigits, ReadOnlySpan<byte> totalDigits, NatsParserOptions options, out long headers, out long total)
    {
        total = 0;
        return TrySize(headerDigits, options, out headers) && TrySize(totalDigits, options, out total) && headers <= total;
    }

    private static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> text)
    {
        int i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }

        return text[i..];
    }

    private static string ErrorText(ReadOnlySpan<byte> text)
    {
        text = text.TrimEnd((byte)' ');
        if (text.Length >= 2 && text[0] == (byte)'\'' && text[^1] == (byte)'\'')
        {
            text = text[1..^1];
        }

        return Encoding.UTF8.GetString(text);
    }
}
