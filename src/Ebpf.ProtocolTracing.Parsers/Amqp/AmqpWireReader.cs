using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// Reads AMQP 0-9-1 field types from a frame payload (spec section 4.2.5,
/// https://www.rabbitmq.com/resources/specs/amqp0-9-1.pdf): big-endian integers, short strings (octet
/// length), long strings and tables (32-bit length), and bits packed into octets. Every read checks the
/// bounds: a short payload makes <see cref="Ok"/> false instead of throwing.
/// </summary>
internal ref struct AmqpWireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _at;
    private int _bitOctet;
    private int _bitIndex;

    public AmqpWireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _bitIndex = 8;
    }

    /// <summary>Whether every read so far found its bytes.</summary>
    public bool Ok { get; private set; } = true;

    public byte Octet()
    {
        EndBits();
        if (!Has(1))
        {
            return 0;
        }

        return _data[_at++];
    }

    public ushort Short()
    {
        EndBits();
        if (!Has(2))
        {
            return 0;
        }

        ushort value = BinaryPrimitives.ReadUInt16BigEndian(_data[_at..]);
        _at += 2;
        return value;
    }

    public uint Long()
    {
        EndBits();
        if (!Has(4))
        {
            return 0;
        }

        uint value = BinaryPrimitives.ReadUInt32BigEndian(_data[_at..]);
        _at += 4;
        return value;
    }

    public ulong LongLong()
    {
        EndBits();
        if (!Has(8))
        {
            return 0;
        }

        ulong value = BinaryPrimitives.ReadUInt64BigEndian(_data[_at..]);
        _at += 8;
        return value;
    }

    /// <summary>A short string as text (invalid UTF-8 becomes U+FFFD); <see langword="null"/> when the payload ends first.</summary>
    public string? ShortString()
    {
        int length = Octet();
        if (!Has(length))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(_data.Slice(_at, length));
        _at += length;
        return text;
    }

    /// <summary>Skips a short string without decoding it.</summary>
    public void SkipShortString() => Skip(Octet());

    /// <summary>A long string's bytes, not decoded (the caller decides whether they may be shown at all).</summary>
    public ReadOnlySpan<byte> LongStringBytes()
    {
        uint length = Long();
        if (length > int.MaxValue || !Has((int)length))
        {
            return default;
        }

        var bytes = _data.Slice(_at, (int)length);
        _at += (int)length;
        return bytes;
    }

    /// <summary>Skips a long string or a field table (both are a 32-bit length and that many bytes).</summary>
    public void SkipLongString()
    {
        uint length = Long();
        if (length > int.MaxValue)
        {
            Ok = false;
            return;
        }

        Skip((int)length);
    }

    /// <summary>The next bit; consecutive bits share an octet, the first in its lowest bit.</summary>
    public bool Bit()
    {
        if (_bitIndex == 8)
        {
            if (!Has(1))
            {
                return false;
            }

            _bitOctet = _data[_at++];
            _bitIndex = 0;
        }

        return (_bitOctet & (1 << _bitIndex++)) != 0;
    }

    private void Skip(int length)
    {
        if (Has(length))
        {
            _at += length;
        }
    }

    private void EndBits() => _bitIndex = 8;

    private bool Has(int count)
    {
        if (Ok && count >= 0 && _data.Length - _at >= count)
        {
            return true;
        }

        Ok = false;
        return false;
    }
}
