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

    /// <summary>Longest ERR packet accepted as a frame start.</summary>
    private const int MaxShortResponse = 64 * 1024;

    /// <summary>Longest OK packet accepted as a frame start: it must be whole in view, and a resync keeps a 64-byte tail.</summary>
    private const int MaxCheckedOk = 56;

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

        return true;
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
            int inView = Math.Min(length, bytes.Length - MySqlProtocol.HeaderLength);
            return first == MySqlProtocol.HandshakeV10 && length >= 30 && MySqlHandshake.LooksLikeGreeting(bytes.Slice(MySqlProtocol.HeaderLength, inView));
        }

        if (sequence != 1)
        {
            return false;
        }

        // Only short, checkable packets are trusted: the bytes of a lost row easily look like a header.
        int available = bytes.Length - MySqlProtocol.HeaderLength;
        switch (first)
        {
            case MySqlProtocol.OkHeader:
                return length is >= 7 and <= MaxCheckedOk && available >= length && IsOkPayload(bytes.Slice(MySqlProtocol.HeaderLength, length));
            case MySqlProtocol.ErrHeader:
                return length is >= 9 and <= MaxShortResponse && available >= 9 && IsErrHead(bytes.Slice(MySqlProtocol.HeaderLength, 9));
            case >= 1 and <= 250:
                // A one-byte column count, then the first column definition (sequence 2, catalog "def").
                return length == 1 && available >= 1 + MySqlProtocol.HeaderLength + 4
                    && bytes[8] == 2 && bytes.Slice(9, 4).SequenceEqual("\u0003def"u8);
            default:
                return false;
        }
    }

    /// <summary>An OK_Packet's fields fit its length exactly or leave room for an info string.</summary>
    private static bool IsOkPayload(ReadOnlySpan<byte> payload)
    {
        var reader = new MySqlPayloadReader(payload);
        reader.Skip(1);
        reader.ReadLengthEncoded();
        reader.ReadLengthEncoded();
        reader.Skip(4);
        return !reader.Failed;
    }

    /// <summary>An ERR_Packet of protocol 4.1: an error code, '#', and five SQLSTATE characters.</summary>
    private static bool IsErrHead(ReadOnlySpan<byte> head)
    {
        int code = head[1] | (head[2] << 8);
        if (code < 1000 || head[3] != (byte)'#')
        {
            return false;
        }

        foreach (byte b in head.Slice(4, 5))
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'A' and <= (byte)'Z')))
            {
                return false;
            }
        }

        return true;
    }
}
