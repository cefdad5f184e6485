using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>
/// The 9-byte frame header of protocol v3–v5 (native_protocol_v4.spec, section 2): version (bit 7 set on
/// responses), flags, stream id, opcode, body length.
/// </summary>
internal readonly record struct CassandraFrameHeader(byte Version, byte Flags, short Stream, byte Opcode, int Length)
{
    public const int Size = 9;

    public const byte CompressionFlag = 0x01;
    public const byte TracingFlag = 0x02;
    public const byte CustomPayloadFlag = 0x04;
    public const byte WarningFlag = 0x08;

    public bool IsResponse => (Version & 0x80) != 0;

    public int ProtocolVersion => Version & 0x7f;

    public static CassandraFrameHeader Read(ReadOnlySpan<byte> header) => new(
        header[0], header[1], BinaryPrimitives.ReadInt16BigEndian(header[2..]), header[4], BinaryPrimitives.ReadInt32BigEndian(header[5..]));

    /// <summary>Whether the header obeys the rules a receiver checks: version 3–5, defined flags, an opcode that direction may send, a sane length.</summary>
    public bool IsPlausible(int maxLength)
    {
        if (ProtocolVersion is < 3 or > 5 || (Flags & ~0x1f) != 0 || Length < 0 || Length > maxLength)
        {
            return false;
        }

        return IsResponse
            ? Opcode is 0x00 or 0x02 or 0x03 or 0x06 or 0x08 or 0x0C or 0x0E or 0x10
            : Opcode is 0x01 or 0x05 or 0x07 or 0x09 or 0x0A or 0x0B or 0x0D or 0x0F;
    }
}
