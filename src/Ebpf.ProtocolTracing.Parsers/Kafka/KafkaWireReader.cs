using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// Reads Kafka's primitive types (https://kafka.apache.org/protocol#protocol_types) from the kept head
/// of a message. Every read is bounds-checked: running off the end sets <see cref="Truncated"/> and
/// returns a neutral value, so a cut or corrupt message decodes as far as it goes and never throws.
/// </summary>
internal ref struct KafkaWireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _offset;

    public KafkaWireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _offset = 0;
        Truncated = false;
    }

    /// <summary>Whether a read needed bytes past the end; later reads return neutral values.</summary>
    public bool Truncated { get; private set; }

    public readonly int Offset => _offset;

    public readonly int Remaining => _data.Length - _offset;

    public readonly bool Ok => !Truncated;

    public sbyte Int8() => Take(1, out var b) ? (sbyte)b[0] : (sbyte)0;

    public bool Boolean() => Int8() != 0;

    public short Int16() => Take(2, out var b) ? BinaryPrimitives.ReadInt16BigEndian(b) : (short)0;

    public int Int32() => Take(4, out var b) ? BinaryPrimitives.ReadInt32BigEndian(b) : 0;

    public long Int64() => Take(8, out var b) ? BinaryPrimitives.ReadInt64BigEndian(b) : 0;

    public void Skip(int count)
    {
        if (count < 0 || !Take(count, out _))
        {
            Truncated = true;
            _offset = _data.Length;
        }
    }

    /// <summary>An unsigned varint of at most 5 bytes (Kafka's UNSIGNED_VARINT).</summary>
    public uint UnsignedVarInt()
    {
        uint value = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            if (!Take(1, out var b))
            {
                return 0;
            }

            value |= (uint)(b[0] & 0x7f) << shift;
            if ((b[0] & 0x80) == 0)
            {
                return value;
            }
        }

        // More than five bytes is not a valid varint: treat it as the end of what can be read.
        Truncated = true;
        _offset = _data.Length;
        return 0;
    }

    /// <summary>A string: INT16 length (-1 for null) or, when <paramref name="compact"/>, UNSIGNED_VARINT length + 1 (0 for null).</summary>
    public string? String(bool compact, int maxChars)
    {
        int length = compact ? (int)Math.Min(UnsignedVarInt(), int.MaxValue) - 1 : Int16();
        if (length < 0 || Truncated)
        {
            return null;
        }

        if (!Take(length, out var bytes))
        {
            return null;
        }

        return Text(bytes, maxChars);
    }

    /// <summary>An array's element count: INT32 (-1 for null) or, when <paramref name="compact"/>, UNSIGNED_VARINT count + 1.</summary>
    /// <returns>The count, or -1 for a null array (also when the count cannot be read).</returns>
    public int ArrayLength(bool compact)
    {
        long count = compact ? (long)UnsignedVarInt() - 1 : Int32();
        if (Truncated || count < 0)
        {
            return -1;
        }

        // Every element takes at least one byte, so a larger count cannot be real.
        if (count > Remaining)
        {
            Truncated = true;
            return -1;
        }

        return (int)count;
    }

    /// <summary>BYTES/NULLABLE_BYTES/RECORDS length: INT32 or, when compact, UNSIGNED_VARINT length + 1.</summary>
    public int BytesLength(bool compact) => compact ? (int)Math.Min(UnsignedVarInt(), int.MaxValue) - 1 : Int32();

    /// <summary>Skips a flexible version's tagged field section (https://cwiki.apache.org/confluence/x/KXLuBg).</summary>
    public void SkipTaggedFields()
    {
        uint count = UnsignedVarInt();
        for (uint i = 0; i < count && !Truncated; i++)
        {
            _ = UnsignedVarInt();
            Skip((int)Math.Min(UnsignedVarInt(), int.MaxValue));
        }
    }

    /// <summary>Skips a string of either form.</summary>
    public void SkipString(bool compact)
    {
        int length = compact ? (int)Math.Min(UnsignedVarInt(), int.MaxValue) - 1 : Int16();
        if (length > 0)
        {
            Skip(length);
        }
    }

    /// <summary>Skips an array of INT32 values.</summary>
    public void SkipInt32Array(bool compact)
    {
        int count = ArrayLength(compact);
        if (count > 0)
        {
            Skip(count * 4);
        }
    }

    /// <summary>A topic's name, or in versions that name topics by id, its 16-byte id as a GUID string.</summary>
    public string? TopicName(bool byId, bool compact, int maxChars)
    {
        if (!byId)
        {
            return String(compact, maxChars);
        }

        var id = Peek(16);
        Skip(16);
        return id.Length == 16 ? new Guid(id, bigEndian: true).ToString() : null;
    }

    /// <summary>The bytes from the current offset, up to <paramref name="length"/> of them.</summary>
    public ReadOnlySpan<byte> Peek(int length) => _data.Slice(_offset, Math.Min(Math.Max(length, 0), Remaining));

    internal static string Text(ReadOnlySpan<byte> bytes, int maxChars)
    {
        var kept = bytes.Length > maxChars ? bytes[..maxChars] : bytes;
        return Encoding.UTF8.GetString(kept);
    }

    private bool Take(int count, out ReadOnlySpan<byte> bytes)
    {
        if (Truncated || count > _data.Length - _offset)
        {
            Truncated = true;
            bytes = default;
            return false;
        }

        bytes = _data.Slice(_offset, count);
        _offset += count;
        return true;
    }
}
