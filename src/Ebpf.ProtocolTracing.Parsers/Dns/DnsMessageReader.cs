using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Dns;

/// <summary>
/// Decodes one whole DNS message (https://www.rfc-editor.org/rfc/rfc1035#section-4.1): the header, the
/// first question (the others are checked and skipped), and every resource record of the three sections,
/// keeping at most <see cref="DnsParserOptions.MaxRecordsPerSection"/> of each. EDNS OPT records
/// (https://www.rfc-editor.org/rfc/rfc6891#section-6) are read for the payload size, DO bit and extended rcode.
/// </summary>
internal static class DnsMessageReader
{
    private const int FixedRecordBytes = 10;

    /// <summary>Decodes <paramref name="message"/>.</summary>
    /// <returns>
    /// <see langword="null"/> when the header or a question is malformed: this is not a DNS message. A
    /// message that ends inside a resource record is returned with what was read and <see cref="DnsMessage.Incomplete"/>.
    /// </returns>
    public static DnsMessage? TryRead(ReadOnlySpan<byte> message, DnsParserOptions options)
    {
        if (message.Length < DnsHeader.Size)
        {
            return null;
        }

        var header = DnsHeader.Read(message);
        if (!header.IsPlausible())
        {
            return null;
        }

        var offset = DnsHeader.Size;
        var questionName = string.Empty;
        ushort questionType = 0, questionClass = 0;
        for (var i = 0; i < header.QuestionCount; i++)
        {
            var ok = i == 0 ? DnsNameReader.TryRead(message, ref offset, out questionName) : DnsNameReader.TrySkip(message, ref offset);
            if (!ok || offset + 4 > message.Length)
            {
                return null;
            }

            if (i == 0)
            {
                questionType = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
                questionClass = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            }

            offset += 4;
        }

        var sections = new SectionState(options);
        var incomplete = false;
        var counts = (header.AnswerCount, header.AuthorityCount, header.AdditionalCount);
        for (var section = 0; section < 3 && !incomplete; section++)
        {
            var count = section switch { 0 => counts.AnswerCount, 1 => counts.AuthorityCount, _ => counts.AdditionalCount };
            for (var i = 0; i < count; i++)
            {
                if (!TryReadRecord(message, ref offset, section, options, ref sections))
                {
                    incomplete = true;
                    break;
                }
            }
        }

        var rcode = header.ResponseCode | (sections.ExtendedRcodeHigh << 4);
        return new DnsMessage
        {
            Header = header,
            QuestionName = questionName,
            QuestionType = questionType,
            QuestionClass = questionClass,
            Answers = sections.Answers ?? (IReadOnlyList<DnsResourceRecord>)[],
            Authority = sections.Authority ?? (IReadOnlyList<DnsResourceRecord>)[],
            Additional = sections.Additional ?? (IReadOnlyList<DnsResourceRecord>)[],
            EdnsUdpPayloadSize = sections.EdnsUdpPayloadSize,
            DnssecOk = sections.DnssecOk,
            ResponseCode = rcode,
            Incomplete = incomplete,
        };
    }

    private static bool TryReadRecord(ReadOnlySpan<byte> message, ref int offset, int section, DnsParserOptions options, ref SectionState state)
    {
        if (!DnsNameReader.TryRead(message, ref offset, out var name) || offset + FixedRecordBytes > message.Length)
        {
            return false;
        }

        var fixedPart = message[offset..];
        var type = BinaryPrimitives.ReadUInt16BigEndian(fixedPart);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[2..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[4..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[8..]);
        var dataStart = offset + FixedRecordBytes;
        if (dataStart + length > message.Length)
        {
            return false;
        }

        offset = dataStart + length;
        if (type == DnsRecordTypes.OPT)
        {
            // The OPT pseudo-record reuses CLASS as the payload size and TTL as extended rcode, version and flags.
            state.EdnsUdpPayloadSize = @class;
            state.ExtendedRcodeHigh = (int)(ttl >> 24);
            state.DnssecOk = (ttl & 0x8000) != 0;
            return true;
        }

        var list = state.ListFor(section);
        if (list is null)
        {
            return true;
        }

        var data = DnsRecordData.Render(message, dataStart, length, type, options);
        list.Add(new DnsResourceRecord(name, type, ttl, data));
        return true;
    }

    private struct SectionState(DnsParserOptions options)
    {
        private readonly int _max = options.MaxRecordsPerSection;

        public List<DnsResourceRecord>? Answers;
        public List<DnsResourceRecord>? Authority;
        public List<DnsResourceRecord>? Additional;
        public int? EdnsUdpPayloadSize;
        public int ExtendedRcodeHigh;
        public bool DnssecOk;

        /// <summary>The list a record of the section goes to, or <see langword="null"/> when the section holds its maximum.</summary>
        public List<DnsResourceRecord>? ListFor(int section)
        {
            ref var list = ref section == 0 ? ref Answers : ref section == 1 ? ref Authority : ref Additional;
            list ??= new List<DnsResourceRecord>(Math.Min(_max, 4));
            return list.Count < _max ? list : null;
        }
    }
}
