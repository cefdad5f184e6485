using System.Text;

namespace Samples.LineProtocol;

/// <summary>The protocol's line grammar, on raw bytes (no strings until a record is built).</summary>
internal static class LineSyntax
{
    public static ReadOnlySpan<byte> Get => "GET "u8;
    public static ReadOnlySpan<byte> Value => "VALUE "u8;
    public static ReadOnlySpan<byte> NotFound => "NOT_FOUND"u8;
    public static ReadOnlySpan<byte> Error => "ERROR "u8;

    /// <summary>Whether <paramref name="data"/> begins with one of the protocol's keywords.</summary>
    public static bool StartsWithKeyword(ReadOnlySpan<byte> data) =>
        data.StartsWith(Get) || data.StartsWith(Value) || data.StartsWith(NotFound) || data.StartsWith(Error);

    /// <summary>A request key: one or more visible ASCII characters, no spaces.</summary>
    public static bool IsKey(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
        {
            return false;
        }

        foreach (var b in key)
        {
            if (b is <= 0x20 or >= 0x7f)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>How likely the first bytes of a stream are this protocol (0 to 100).</summary>
    public static int Score(ReadOnlySpan<byte> data)
    {
        var newline = data.IndexOf((byte)'\n');
        var line = newline < 0 ? data : data[..newline];
        line = TrimCarriageReturn(line);
        if (line.StartsWith(Get))
        {
            // "GET /x HTTP/1.1" is HTTP; a line-protocol request is exactly one key.
            var key = line[Get.Length..];
            if (!IsKey(key))
            {
                return 0;
            }

            return newline < 0 ? 30 : 90;
        }

        if (newline >= 0 && (line.StartsWith(Value) || line.SequenceEqual(NotFound) || line.StartsWith(Error)))
        {
            return 70;
        }

        return 0;
    }

    public static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;

    public static string ToText(ReadOnlySpan<byte> bytes) =>
        Encoding.UTF8.GetString(bytes.Length > LineProtocolParser.MaxTextLength ? bytes[..LineProtocolParser.MaxTextLength] : bytes);
}
