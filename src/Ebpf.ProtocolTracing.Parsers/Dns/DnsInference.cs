using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Dns;

/// <summary>Scores the first bytes of a datagram or a TCP stream as DNS: a plausible header followed by a readable question.</summary>
internal static class DnsInference
{
    /// <summary>Bytes of a DNS-over-TCP message's length prefix (https://www.rfc-editor.org/rfc/rfc1035#section-4.2.2).</summary>
    public const int LengthPrefixBytes = 2;

    public static int Score(ReadOnlySpan<byte> data)
    {
        var asDatagram = ScoreMessage(data);
        if (asDatagram >= 80)
        {
            return asDatagram;
        }

        if (data.Length >= LengthPrefixBytes + DnsHeader.Size)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(data);
            if (length >= DnsHeader.Size)
            {
                var body = data[LengthPrefixBytes..];
                return Math.Max(asDatagram, ScoreMessage(body.Length > length ? body[..length] : body));
            }
        }

        return asDatagram;
    }

    /// <summary>Whether a DNS-over-TCP frame plausibly starts at the beginning of <paramref name="data"/>.</summary>
    public static bool LooksLikeFrameStart(ReadOnlySpan<byte> data)
        => data.Length >= LengthPrefixBytes + DnsHeader.Size
            && BinaryPrimitives.ReadUInt16BigEndian(data) >= DnsHeader.Size
            && ScoreMessage(data[LengthPrefixBytes..]) >= 60;

    private static int ScoreMessage(ReadOnlySpan<byte> message)
    {
        if (message.Length < DnsHeader.Size)
        {
            return 0;
        }

        var header = DnsHeader.Read(message);
        if (!header.IsPlausible() || header.QuestionCount == 0)
        {
            return 0;
        }

        var offset = DnsHeader.Size;
        if (!DnsNameReader.TrySkip(message, ref offset))
        {
            // The question may be cut by the end of what was captured so far: the header alone is a weak sign.
            return offset >= message.Length ? 30 : 0;
        }

        if (offset + 4 > message.Length)
        {
            return 60;
        }

        var questionClass = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
        return questionClass is 1 or 3 or 4 or 254 or 255 ? 90 : 60;
    }
}
