using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Dns;

/// <summary>The 12-byte message header (https://www.rfc-editor.org/rfc/rfc1035#section-4.1.1).</summary>
internal readonly record struct DnsHeader(ushort Id, ushort Flags, ushort QuestionCount, ushort AnswerCount, ushort AuthorityCount, ushort AdditionalCount)
{
    public const int Size = 12;

    public bool IsResponse => (Flags & 0x8000) != 0;

    public int Opcode => (Flags >> 11) & 0xF;

    public bool Authoritative => (Flags & 0x0400) != 0;

    public bool Truncated => (Flags & 0x0200) != 0;

    public bool RecursionDesired => (Flags & 0x0100) != 0;

    public bool RecursionAvailable => (Flags & 0x0080) != 0;

    public bool AuthenticData => (Flags & 0x0020) != 0;

    public bool CheckingDisabled => (Flags & 0x0010) != 0;

    public int ResponseCode => Flags & 0xF;

    public static DnsHeader Read(ReadOnlySpan<byte> message) => new(
        BinaryPrimitives.ReadUInt16BigEndian(message),
        BinaryPrimitives.ReadUInt16BigEndian(message[2..]),
        BinaryPrimitives.ReadUInt16BigEndian(message[4..]),
        BinaryPrimitives.ReadUInt16BigEndian(message[6..]),
        BinaryPrimitives.ReadUInt16BigEndian(message[8..]),
        BinaryPrimitives.ReadUInt16BigEndian(message[10..]));

    /// <summary>
    /// Whether the header is plausible: a standard opcode, the reserved Z bit clear, one to a few
    /// questions, counts a message could hold; a query has no answers and no response code.
    /// </summary>
    public bool IsPlausible()
    {
        // A response may leave out the question (e.g. FORMERR); a query always has one.
        if (Opcode is 3 or > 5 || (Flags & 0x0040) != 0 || QuestionCount > 8 || (QuestionCount == 0 && !IsResponse)
            || AnswerCount > 4096 || AuthorityCount > 4096 || AdditionalCount > 4096)
        {
            return false;
        }

        return IsResponse || (AnswerCount == 0 && ResponseCode == 0 && !RecursionAvailable) || Opcode == 5;
    }
}
