using System.Buffers;
using System.Runtime.CompilerServices;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>The byte classes of RFC 9110/9112, as vectorised lookups.</summary>
internal static class HttpCharacters
{
    /// <summary>tchar (RFC 9110 5.6.2): what method names and field names are made of.</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>
    /// Bytes never allowed in a field value or reason phrase: CTLs other than HTAB. DEL is let through,
    /// as obs-text is: a passive observer gains nothing by refusing it.
    /// </summary>
    public static readonly SearchValues<byte> InvalidFieldValue = SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F]);

    /// <summary>Bytes never allowed in a request target: CTLs, SP and DEL.</summary>
    public static readonly SearchValues<byte> InvalidTarget = SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x7F]);

    /// <summary>Hexadecimal digits of a chunk size.</summary>
    public static readonly SearchValues<byte> HexDigit = SearchValues.Create("0123456789ABCDEFabcdef"u8);

    /// <summary>
    /// Index of the first control byte other than HTAB, or -1: where a field value ends (at CR or LF) or
    /// turns invalid. A single range compare, so it runs at memory speed; tabs are rare in values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOfControl(ReadOnlySpan<byte> value)
    {
        int offset = 0;
        while (true)
        {
            int index = value[offset..].IndexOfAnyInRange((byte)0x00, (byte)0x1F);
            if (index < 0)
            {
                return -1;
            }

            offset += index;
            if (value[offset] != (byte)'\t')
            {
                return offset;
            }

            offset++;
        }
    }

    /// <summary>
    /// Whether <paramref name="target"/> has no CTL, SP or DEL. Visible ASCII is one range compare; bytes
    /// above 0x7F (raw UTF-8 some clients send) are let through.
    /// </summary>
    public static bool IsTarget(ReadOnlySpan<byte> target)
    {
        int offset = 0;
        while (true)
        {
            int index = target[offset..].IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E);
            if (index < 0)
            {
                return true;
            }

            offset += index;
            if (target[offset] < 0x80)
            {
                return false;
            }

            offset++;
        }
    }

    /// <summary>Whether <paramref name="value"/> is a non-empty token.</summary>
    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && value.IndexOfAnyExcept(Token) < 0;

    /// <summary>Whether <paramref name="value"/> has no byte a field value may not hold.</summary>
    public static bool IsFieldValue(ReadOnlySpan<byte> value) => value.IndexOfAny(InvalidFieldValue) < 0;

    /// <summary>Drops leading and trailing SP and HTAB (optional whitespace).</summary>
    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> value)
    {
        int start = 0;
        while (start < value.Length && (value[start] == (byte)' ' || value[start] == (byte)'\t'))
        {
            start++;
        }

        int end = value.Length;
        while (end > start && (value[end - 1] == (byte)' ' || value[end - 1] == (byte)'\t'))
        {
            end--;
        }

        return value[start..end];
    }

    /// <summary>A line without its terminator: the LF is already gone, a CR before it is dropped here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> WithoutCarriageReturn(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;
}
