namespace Ebpf.ProtocolTracing.Dns;

/// <summary>
/// Reads a possibly compressed domain name (https://www.rfc-editor.org/rfc/rfc1035#section-4.1.4) from a
/// whole message, safely: every compression pointer must point before the previous one (so no loop and
/// no forward pointer can be followed), labels are at most 63 bytes, names at most 255 bytes on the wire.
/// </summary>
internal static class DnsNameReader
{
    /// <summary>Characters a rendered name may take: 255 wire bytes, each at most 4 characters (<c>\DDD</c>).</summary>
    public const int MaxRenderedLength = 1024;

    private const int MaxLabelLength = 63;
    private const int MaxWireLength = 255;
    private const int MaxPointers = 127;

    /// <summary>Reads the name at <paramref name="offset"/>.</summary>
    /// <param name="message">The whole message (compression pointers are offsets into it).</param>
    /// <param name="offset">Where the name starts; moved past it (past its first pointer when compressed).</param>
    /// <param name="name">The name without the trailing dot, <c>.</c> for the root.</param>
    /// <returns><see langword="false"/> when the name is malformed or runs past the message.</returns>
    public static bool TryRead(ReadOnlySpan<byte> message, ref int offset, out string name)
    {
        Span<char> buffer = stackalloc char[MaxRenderedLength];
        if (!TryRead(message, ref offset, buffer, out var written))
        {
            name = string.Empty;
            return false;
        }

        name = new string(buffer[..written]);
        return true;
    }

    /// <summary>Skips the name at <paramref name="offset"/> with the same checks, without rendering it.</summary>
    public static bool TrySkip(ReadOnlySpan<byte> message, ref int offset)
    {
        Span<char> buffer = stackalloc char[MaxRenderedLength];
        return TryRead(message, ref offset, buffer, out _);
    }

    private static bool TryRead(ReadOnlySpan<byte> message, ref int offset, Span<char> buffer, out int written)
    {
        written = 0;
        var position = offset;
        var next = -1;
        var limit = offset;
        var wireLength = 1;
        var pointers = 0;
        while (true)
        {
            if ((uint)position >= (uint)message.Length)
            {
                return false;
            }

            int length = message[position];
            if ((length & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length)
                {
                    return false;
                }

                var target = ((length & 0x3F) << 8) | message[position + 1];
                if (next < 0)
                {
                    next = position + 2;
                }

                // Strictly backwards, each pointer before the last: loops and forward pointers are refused.
                if (target >= limit || ++pointers > MaxPointers)
                {
                    return false;
                }

                limit = target;
                position = target;
                continue;
            }

            if (length > MaxLabelLength)
            {
                // 0x40/0x80: extended and binary labels, obsolete (RFC 6891 section 5).
                return false;
            }

            if (length == 0)
            {
                if (next < 0)
                {
                    next = position + 1;
                }

                if (written == 0)
                {
                    buffer[written++] = '.';
                }

                offset = next;
                return true;
            }

            wireLength += length + 1;
            if (wireLength > MaxWireLength || position + 1 + length > message.Length)
            {
                return false;
            }

            if (written > 0)
            {
                buffer[written++] = '.';
            }

            foreach (var b in message.Slice(position + 1, length))
            {
                written = AppendEscaped(buffer, written, b);
            }

            position += 1 + length;
        }
    }

    // Presentation format (RFC 1035 section 5.1): dots and backslashes inside labels escaped, other
    // non-printable bytes as \DDD, so a hostile name cannot forge structure or control characters.
    private static int AppendEscaped(Span<char> buffer, int written, byte b)
    {
        if (b is (byte)'.' or (byte)'\\')
        {
            buffer[written++] = '\\';
            buffer[written++] = (char)b;
        }
        else if (b is > 0x20 and < 0x7F)
        {
            buffer[written++] = (char)b;
        }
        else
        {
            buffer[written++] = '\\';
            buffer[written++] = (char)('0' + (b / 100));
            buffer[written++] = (char)('0' + (b / 10 % 10));
            buffer[written++] = (char)('0' + (b % 10));
        }

        return written;
    }
}
