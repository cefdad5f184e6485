using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Dns;

/// <summary>Builds DNS messages byte by byte (RFC 1035 section 4), with name compression where asked.</summary>
internal sealed class DnsWire
{
    private readonly List<byte> _bytes = [];
    private readonly Dictionary<string, int> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly bool _compress;

    public DnsWire(ushort id, ushort flags, int questions, int answers, int authority = 0, int additional = 0, bool compress = true)
    {
        _compress = compress;
        U16(id).U16(flags).U16((ushort)questions).U16((ushort)answers).U16((ushort)authority).U16((ushort)additional);
    }

    public const ushort QueryFlags = 0x0100; // RD
    public const ushort ResponseFlags = 0x8180; // QR, RD, RA

    public int Length => _bytes.Count;

    public DnsWire U8(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public DnsWire U16(ushort value)
    {
        _bytes.Add((byte)(value >> 8));
        _bytes.Add((byte)value);
        return this;
    }

    public DnsWire U32(uint value) => U16((ushort)(value >> 16)).U16((ushort)value);

    public DnsWire Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    /// <summary>Writes a name, pointing at an earlier occurrence of it or of one of its suffixes.</summary>
    public DnsWire Name(string name)
    {
        var labels = name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < labels.Length; i++)
        {
            var suffix = string.Join('.', labels[i..]);
            if (_compress && _names.TryGetValue(suffix, out var at))
            {
                return U16((ushort)(0xC000 | at));
            }

            if (_bytes.Count < 0x3FFF)
            {
                _names.TryAdd(suffix, _bytes.Count);
            }

            var label = Encoding.ASCII.GetBytes(labels[i]);
            U8((byte)label.Length).Raw(label);
        }

        return U8(0);
    }

    public DnsWire Question(string name, ushort type, ushort @class = 1) => Name(name).U16(type).U16(@class);

    /// <summary>A resource record whose data is written by <paramref name="data"/>; RDLENGTH is filled in after.</summary>
    public DnsWire Record(string name, ushort type, uint ttl, Action<DnsWire> data, ushort @class = 1)
    {
        Name(name).U16(type).U16(@class).U32(ttl);
        var lengthAt = _bytes.Count;
        U16(0);
        data(this);
        var length = _bytes.Count - lengthAt - 2;
        _bytes[lengthAt] = (byte)(length >> 8);
        _bytes[lengthAt + 1] = (byte)length;
        return this;
    }

    public DnsWire A(string name, string address, uint ttl = 300) => Record(name, 1, ttl, w => w.Raw(IPAddress.Parse(address).GetAddressBytes()));

    public DnsWire Aaaa(string name, string address, uint ttl = 300) => Record(name, 28, ttl, w => w.Raw(IPAddress.Parse(address).GetAddressBytes()));

    public DnsWire Cname(string name, string target, uint ttl = 300) => Record(name, 5, ttl, w => w.Name(target));

    public DnsWire Txt(string name, params string[] strings) => Record(name, 16, 60, w =>
    {
        foreach (var s in strings)
        {
            var b = Encoding.ASCII.GetBytes(s);
            w.U8((byte)b.Length).Raw(b);
        }
    });

    /// <summary>An OPT pseudo-record (RFC 6891): payload size in CLASS, extended rcode/version/DO in TTL.</summary>
    public DnsWire Opt(ushort udpSize, bool dnssecOk, byte extendedRcode = 0)
        => U8(0).U16(41).U16(udpSize).U8(extendedRcode).U8(0).U16((ushort)(dnssecOk ? 0x8000 : 0)).U16(0);

    public byte[] ToArray() => [.. _bytes];

    /// <summary>The message with its 2-byte TCP length prefix.</summary>
    public byte[] ToTcp()
    {
        var message = ToArray();
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }

    public static byte[] Query(ushort id, string name, ushort type = 1)
        => new DnsWire(id, QueryFlags, 1, 0).Question(name, type).ToArray();

    public static DnsWire Response(ushort id, string name, ushort type, int answers, ushort flags = ResponseFlags, int authority = 0, int additional = 0)
        => new DnsWire(id, flags, 1, answers, authority, additional).Question(name, type);
}
