using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Ebpf.ProtocolTracing.Dns;

/// <summary>Renders the data of one resource record compactly (see <see cref="DnsResourceRecord.Data"/>).</summary>
internal static class DnsRecordData
{
    public static string Render(ReadOnlySpan<byte> message, int start, int length, ushort type, DnsParserOptions options)
    {
        var data = message.Slice(start, length);
        var text = type switch
        {
            DnsRecordTypes.A when length == 4 => new IPAddress(data).ToString(),
            DnsRecordTypes.AAAA when length == 16 => new IPAddress(data).ToString(),
            DnsRecordTypes.CNAME or DnsRecordTypes.NS or DnsRecordTypes.PTR => NameAt(message, start, length),
            DnsRecordTypes.MX when length >= 3 => Number(BinaryPrimitives.ReadUInt16BigEndian(data)) + " " + NameAt(message, start + 2, length - 2),
            DnsRecordTypes.SRV when length >= 7 => string.Create(CultureInfo.InvariantCulture,
                $"{BinaryPrimitives.ReadUInt16BigEndian(data)} {BinaryPrimitives.ReadUInt16BigEndian(data[2..])} {BinaryPrimitives.ReadUInt16BigEndian(data[4..])} {NameAt(message, start + 6, length - 6)}"),
            DnsRecordTypes.SOA => Soa(message, start, length),
            DnsRecordTypes.TXT => options.RedactTxtData ? $"{DnsParserOptions.RedactedValue} ({Number(length)} bytes)" : Txt(data),
            _ => null,
        };
        text ??= $"[{Number(length)} bytes]";
        return text.Length <= options.MaxDataLength ? text : string.Concat(text.AsSpan(0, options.MaxDataLength - 1), "…");
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A name inside record data; it must end inside the data, else the data is shown as malformed.</summary>
    private static string? NameAt(ReadOnlySpan<byte> message, int start, int length)
    {
        var offset = start;
        return DnsNameReader.TryRead(message, ref offset, out var name) && offset <= start + length ? name : null;
    }

    private static string? Soa(ReadOnlySpan<byte> message, int start, int length)
    {
        var offset = start;
        var end = start + length;
        if (!DnsNameReader.TryRead(message, ref offset, out var mname) || !DnsNameReader.TryRead(message, ref offset, out var rname) || offset + 20 > end)
        {
            return null;
        }

        var numbers = message.Slice(offset, 20);
        return string.Create(CultureInfo.InvariantCulture,
            $"{mname} {rname} {BinaryPrimitives.ReadUInt32BigEndian(numbers)} {BinaryPrimitives.ReadUInt32BigEndian(numbers[4..])} {BinaryPrimitives.ReadUInt32BigEndian(numbers[8..])} {BinaryPrimitives.ReadUInt32BigEndian(numbers[12..])} {BinaryPrimitives.ReadUInt32BigEndian(numbers[16..])}");
    }

    /// <summary>Character-strings, each quoted, non-printable bytes as \DDD (RFC 1035 section 5.1).</summary>
    private static string? Txt(ReadOnlySpan<byte> data)
    {
        var builder = new StringBuilder(data.Length + 8);
        while (!data.IsEmpty)
        {
            int length = data[0];
            if (1 + length > data.Length)
            {
                return null;
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append('"');
            foreach (var b in data.Slice(1, length))
            {
                if (b is (byte)'"' or (byte)'\\')
                {
                    builder.Append('\\').Append((char)b);
                }
                else if (b is >= 0x20 and < 0x7F)
                {
                    builder.Append((char)b);
                }
                else
                {
                    builder.Append('\\').Append(((int)b).ToString("D3", CultureInfo.InvariantCulture));
                }
            }

            builder.Append('"');
            data = data[(1 + length)..];
        }

        return builder.ToString();
    }
}
