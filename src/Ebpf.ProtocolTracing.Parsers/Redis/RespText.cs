using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>Turns RESP payload bytes into short, printable text (the way redis-cli shows them).</summary>
internal static class RespText
{
    /// <summary>How a null reply is shown.</summary>
    public const string Nil = "(nil)";

    /// <summary>
    /// Printable ASCII is kept; quotes and backslashes are escaped, and every other byte becomes
    /// <c>\n</c>, <c>\r</c>, <c>\t</c> or <c>\xHH</c>, so binary values never break a log line.
    /// </summary>
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        bool plain = true;
        foreach (byte b in bytes)
        {
            if (b is < 0x20 or >= 0x7f or (byte)'"' or (byte)'\\')
            {
                plain = false;
                break;
            }
        }

        if (plain)
        {
            return Encoding.ASCII.GetString(bytes);
        }

        // Measured first, then written straight into the string: no builder, no intermediate buffer.
        int length = 0;
        foreach (byte b in bytes)
        {
            length += EscapedLength(b);
        }

        return string.Create(length, bytes, static (text, source) =>
        {
            int at = 0;
            foreach (byte b in source)
            {
                switch (b)
                {
                    case (byte)'"': text[at++] = '\\'; text[at++] = '"'; break;
                    case (byte)'\\': text[at++] = '\\'; text[at++] = '\\'; break;
                    case (byte)'\n': text[at++] = '\\'; text[at++] = 'n'; break;
                    case (byte)'\r': text[at++] = '\\'; text[at++] = 'r'; break;
                    case (byte)'\t': text[at++] = '\\'; text[at++] = 't'; break;
                    default:
                        if (b is < 0x20 or >= 0x7f)
                        {
                            text[at++] = '\\';
                            text[at++] = 'x';
                            b.TryFormat(text.Slice(at, 2), out _, "x2", CultureInfo.InvariantCulture);
                            at += 2;
                        }
                        else
                        {
                            text[at++] = (char)b;
                        }

                        break;
                }
            }
        });
    }

    private static int EscapedLength(byte b) => b switch
    {
        (byte)'"' or (byte)'\\' or (byte)'\n' or (byte)'\r' or (byte)'\t' => 2,
        < 0x20 or >= 0x7f => 4,
        _ => 1,
    };


    /// <summary>An argument: the kept bytes, and when cut, an ellipsis and the real size.</summary>
    public static string Argument(ReadOnlySpan<byte> kept, long size, bool truncated) =>
        truncated ? string.Create(CultureInfo.InvariantCulture, $"{Escape(kept)}…({size} bytes)") : Escape(kept);

    /// <summary>A string reply: quoted, and when cut, an ellipsis and the real size.</summary>
    public static string Quoted(string escaped, long size, bool truncated) =>
        truncated ? string.Create(CultureInfo.InvariantCulture, $"\"{escaped}…\" ({size} bytes)") : $"\"{escaped}\"";

    /// <summary>An aggregate's size, e.g. <c>[3 items]</c>.</summary>
    public static string Items(long count) =>
        count == 1 ? "[1 item]" : string.Create(CultureInfo.InvariantCulture, $"[{count} items]");
}
