using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Kafka;

/// <summary>
/// Writes Kafka's primitive types as https://kafka.apache.org/protocol#protocol_types defines them, to
/// build messages field by field in the order the message schemas list them.
/// </summary>
internal sealed class KafkaWire
{
    private readonly List<byte> _bytes = [];

    public KafkaWire Int8(int value)
    {
        _bytes.Add((byte)value);
        return this;
    }

    public KafkaWire Int16(int value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(b, (short)value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public KafkaWire Int32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public KafkaWire Int64(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public KafkaWire UVarInt(uint value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        _bytes.Add((byte)value);
        return this;
    }

    /// <summary>STRING / NULLABLE_STRING (INT16 length) or, when compact, COMPACT_(NULLABLE_)STRING.</summary>
    public KafkaWire String(string? value, bool compact)
    {
        if (value is null)
        {
            return compact ? UVarInt(0) : Int16(-1);
        }

        var utf8 = Encoding.UTF8.GetBytes(value);
        if (compact)
        {
            UVarInt((uint)utf8.Length + 1);
        }
        else
        {
            Int16(utf8.Length);
        }

        return Raw(utf8);
    }

    /// <summary>ARRAY length (INT32) or COMPACT_ARRAY length (UNSIGNED_VARINT N+1).</summary>
    public KafkaWire Array(int count, bool compact) => compact ? UVarInt((uint)(count + 1)) : Int32(count);

    /// <summary>RECORDS length and bytes, either form.</summary>
    public KafkaWire Bytes(byte[]? value, bool compact)
    {
        if (value is null)
        {
            return compact ? UVarInt(0) : Int32(-1);
        }

        if (compact)
        {
            UVarInt((uint)value.Length + 1);
        }
        else
        {
            Int32(value.Length);
        }

        return Raw(value);
    }

    /// <summary>An empty tagged field section, when the version is flexible.</summary>
    public KafkaWire Tags(bool flexible) => flexible ? UVarInt(0) : this;

    public KafkaWire Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.AddRange(bytes.ToArray());
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    /// <summary>The bytes with their INT32 size prefix: one message on the wire.</summary>
    public byte[] Message()
    {
        var message = new byte[_bytes.Count + 4];
        BinaryPrimitives.WriteInt32BigEndian(message, _bytes.Count);
        _bytes.CopyTo(message, 4);
        return message;
    }

    /// <summary>A request header: v1 (client id) or, when flexible, v2 (client id and tags).</summary>
    public static KafkaWire Request(int apiKey, int version, int correlationId, string? clientId, bool flexible) =>
        new KafkaWire().Int16(apiKey).Int16(version).Int32(correlationId).String(clientId, compact: false).Tags(flexible);

    /// <summary>A response header: v0 (correlation id) or, when <paramref name="tagged"/>, v1.</summary>
    public static KafkaWire Response(int correlationId, bool tagged) => new KafkaWire().Int32(correlationId).Tags(tagged);

    /// <summary>
    /// A magic 2 record batch header for <paramref name="records"/> records with codec
    /// <paramref name="codec"/>, followed by <paramref name="payload"/> opaque record bytes.
    /// </summary>
    public static byte[] RecordBatch(int records, int codec, int payload = 16, long baseOffset = 0)
    {
        var afterLength = new KafkaWire()
            .Int32(0) // partitionLeaderEpoch
            .Int8(2) // magic
            .Int32(unchecked((int)0xDEADBEEF)) // crc (not checked by a tracer)
            .Int16(codec) // attributes
            .Int32(records - 1) // lastOffsetDelta
            .Int64(1_700_000_000_000) // baseTimestamp
            .Int64(1_700_000_000_000) // maxTimestamp
            .Int64(-1) // producerId
            .Int16(-1) // producerEpoch
            .Int32(-1) // baseSequence
            .Int32(records)
            .Raw(Enumerable.Range(0, payload).Select(i => (byte)(i * 7)).ToArray())
            .ToArray();
        return new KafkaWire().Int64(baseOffset).Int32(afterLength.Length).Raw(afterLength).ToArray();
    }
}
