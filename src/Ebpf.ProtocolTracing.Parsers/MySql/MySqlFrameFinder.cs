using System.Buffers;

namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// Finds where packets start again after lost bytes: a command packet on the client's stream, the first
/// packet of a response (or a greeting) on the server's.
/// </summary>
internal static class MySqlFrameFinder
{
    /// <summary>Bytes searched at once; the caller keeps a short tail when nothing is found.</summary>
    private const int Window = 64 * 1024;

    /// <summary>Longest first packet of a response that is not a result set row (OK and ERR packets are short).</summary>
    private const int MaxShortResponse = 64 * 1024;

    /// <summary>What kind of packet to look for.</summary>
    public enum Expect
    {
        /// <summary>Either side (the client's stream is not known yet).</summary>
        Any,

        /// <summary>A command on the client's stream.</summary>
        Command,

        /// <summary>A response or greeting on the server's stream.</summary>
        Response,
    }

    /// <summary>Whether the first byte of a statement looks like SQL (a letter, whitespace, a comment or a parenthesis).</summary>
    public static bool StartsLikeSql(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'(' or (byte)'/' or (byte)'-' or (byte)'#';

    public static bool TryFind(ReadOnlySequence<byte> data, Expect expect, out long offset)
    {
        var window = data.Length > Window ? data.Slice(0, Window) : data;
        byte[]? rented = null;
        ReadOnlySpan<byte> span;
        if (window.IsSingleSegment)
        {
            span = window.FirstSpan;
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent((int)window.Length);
            window.CopyTo(rented);
            span = rented.AsSpan(0, (int)window.Length);
        }

        try
        {
            for (int i = 0; i + MySqlProtocol.HeaderLength < span.Length; i++)
            {
                var candidate = span[i..];
                if ((expect != Expect.Response && IsCommand(candidate)) || (expect != Expect.Command && IsResponseStart(candidate)))
                {
                    offset = i;
                    return true;
                }
            }

            offset = 0;
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int LengthAt(ReadOnlySpan<byte> bytes) => bytes[0] | (bytes[1] << 8) | (bytes[2] << 16);

    /// <summary>A plausible command packet: sequence 0, a known command byte, a length that fits it.</summary>
    private static bool IsCommand(ReadOnlySpan<byte> bytes)
    {
        if (bytes[3] != 0)
        {
            return false;
        }

        int length = LengthAt(bytes);
        byte code = bytes[4];
        if (MySqlProtocol.CommandOf(code) is not { } command || command == MySqlCommand.Other || !MySqlProtocol.IsPlausibleLength(code, length))
        {
            return false;
        }

        if (code is MySqlProtocol.ComQuery or MySqlProtocol.ComStmtPrepare && bytes.Length > 5 && !StartsLikeSql(bytes[5]))
        {
            return false;
        }

        // When the next header is in view it must be another command, as the client waits for each answer.
        return FollowedBy(bytes, length, expectedSequence: 0);
    }

    /// <summary>The first packet of a response (OK, ERR or a column count, sequence 1) or a greeting (sequence 0).</summary>
    private static bool IsResponseStart(ReadOnlySpan<byte> bytes)
    {
        int length = LengthAt(bytes);
        if (length == 0)
        {
            return false;
        }

        byte sequence = bytes[3];
        byte first = bytes[4];
        if (sequence == 0)
        {
            int available = Math.Min(length, bytes.Length - MySqlProtocol.HeaderLength);
            return first == MySqlProtocol.HandshakeV10 && length >= 30 && MySqlHandshake.LooksLikeGreeting(bytes.Slice(MySqlProtocol.HeaderLength, available));
        }

        if (sequence != 1)
        {
            return false;
        }

        bool plausible = first switch
        {
            MySqlProtocol.OkHeader => length is >= 7 and <= MaxShortResponse,
            MySqlProtocol.ErrHeader => length is >= 3 and <= MaxShortResponse,
            >= 1 and <= 250 => length == 1, // a one-byte column count
            0xFC => length == 3,
            _ => false,
        };
        return plausible && FollowedBy(bytes, length, first is MySqlProtocol.OkHeader or MySqlProtocol.ErrHeader ? (byte)0 : (byte)2);
    }

    /// <summary>When the packet after this one is in view, checks its sequence id; otherwise accepts.</summary>
    private static bool FollowedBy(ReadOnlySpan<byte> bytes, int length, byte expectedSequence)
    {
        long next = (long)MySqlProtocol.HeaderLength + length;
        if (next + MySqlProtocol.HeaderLength > bytes.Length)
        {
            return true;
        }

        // Sequence 0 means "nothing to check": the next packet starts a new exchange of either kind.
        return expectedSequence == 0 || bytes[(int)next + 3] == expectedSequence;
    }
}
