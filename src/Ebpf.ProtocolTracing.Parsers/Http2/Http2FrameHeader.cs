using System.Buffers;
using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Http2;

/// <summary>
/// The 9-byte header every frame starts with (RFC 9113 4.1): a 24-bit length, type, flags and a
/// 31-bit stream id behind a reserved bit.
/// </summary>
internal readonly struct Http2FrameHeader
{
    /// <summary>Size of a frame header on the wire.</summary>
    public const int Size = 9;

    /// <summary>The largest payload the 24-bit length field can express (RFC 9113 4.2).</summary>
    public const int ProtocolMaxLength = (1 << 24) - 1;

    /// <summary>SETTINGS_MAX_FRAME_SIZE until a peer advertises another (RFC 9113 6.5.2).</summary>
    public const int DefaultMaxFrameSize = 16_384;

    public Http2FrameHeader(int length, Http2FrameType type, byte flags, int streamId, bool reservedBit)
    {
        Length = length;
        Type = type;
        Flags = flags;
        StreamId = streamId;
        ReservedBit = reservedBit;
    }

    /// <summary>Payload length in bytes.</summary>
    public int Length { get; }

    /// <summary>Frame type (may be a type this parser does not know; those are skipped).</summary>
    public Http2FrameType Type { get; }

    /// <summary>Type-specific flags.</summary>
    public byte Flags { get; }

    /// <summary>Stream identifier; 0 for the connection.</summary>
    public int StreamId { get; }

    /// <summary>Whether the reserved bit before the stream id is set (senders must leave it clear).</summary>
    public bool ReservedBit { get; }

    /// <summary>Whether <paramref name="flag"/> is set.</summary>
    public bool Has(byte flag) => (Flags & flag) != 0;

    /// <summary>Reads a header from exactly <see cref="Size"/> bytes.</summary>
    public static Http2FrameHeader Read(ReadOnlySpan<byte> bytes)
    {
        int length = (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
        uint stream = BinaryPrimitives.ReadUInt32BigEndian(bytes[5..]);
        return new Http2FrameHeader(length, (Http2FrameType)bytes[3], bytes[4], (int)(stream & 0x7FFF_FFFF), (stream & 0x8000_0000) != 0);
    }

    /// <summary>Reads a header from the start of <paramref name="data"/>; <see langword="false"/> when fewer than 9 bytes are there.</summary>
    public static bool TryRead(in ReadOnlySequence<byte> data, out Http2FrameHeader header)
    {
        if (data.Length < Size)
        {
            header = default;
            return false;
        }

        if (data.FirstSpan.Length >= Size)
        {
            header = Read(data.FirstSpan);
            return true;
        }

        Span<byte> bytes = stackalloc byte[Size];
        data.Slice(0, Size).CopyTo(bytes);
        header = Read(bytes);
        return true;
    }

    /// <summary>Whether the type is one of the ten RFC 9113 types.</summary>
    public bool IsKnownType => (byte)Type <= (byte)Http2FrameType.Continuation;

    /// <summary>
    /// Whether the header obeys the rules a receiver enforces as errors (RFC 9113 section 6): stream id 0 or
    /// not as the type demands, and fixed payload sizes. Unknown types pass (they are skipped, RFC 9113 4.1).
    /// </summary>
    public bool IsWellFormed(int maxLength)
    {
        if (Length > maxLength)
        {
            return false;
        }

        return Type switch
        {
            Http2FrameType.Data or Http2FrameType.Headers or Http2FrameType.Continuation => StreamId != 0,
            Http2FrameType.Priority => StreamId != 0 && Length == 5,
            Http2FrameType.RstStream => StreamId != 0 && Length == 4,
            Http2FrameType.Settings => StreamId == 0 && Length % 6 == 0 && (!Has(Http2Flags.Ack) || Length == 0),
            Http2FrameType.PushPromise => StreamId != 0 && Length >= 4,
            Http2FrameType.Ping => StreamId == 0 && Length == 8,
            Http2FrameType.GoAway => StreamId == 0 && Length >= 8,
            Http2FrameType.WindowUpdate => Length == 4,
            _ => true,
        };
    }

    /// <summary>
    /// A stricter test for finding frames in unknown bytes (resync, inference): well formed, a known type,
    /// only defined flags, the reserved bit clear.
    /// </summary>
    public bool IsPlausible(int maxLength) => IsKnownType && !ReservedBit && (Flags & ~DefinedFlags(Type)) == 0 && IsWellFormed(maxLength);

    private static int DefinedFlags(Http2FrameType type) => type switch
    {
        Http2FrameType.Data => Http2Flags.EndStream | Http2Flags.Padded,
        Http2FrameType.Headers => Http2Flags.EndStream | Http2Flags.EndHeaders | Http2Flags.Padded | Http2Flags.Priority,
        Http2FrameType.Settings or Http2FrameType.Ping => Http2Flags.Ack,
        Http2FrameType.PushPromise => Http2Flags.EndHeaders | Http2Flags.Padded,
        Http2FrameType.Continuation => Http2Flags.EndHeaders,
        _ => 0,
    };
}
