using System.Text;

namespace Ebpf.ProtocolTracing.Grpc.Protobuf.Schema;

/// <summary>
/// Walks the fields of one serialized descriptor message, checking that each value has the wire type
/// descriptor.proto gives it; anything malformed throws <see cref="InvalidDataException"/> naming the message.
/// </summary>
internal ref struct DescriptorFieldCursor(ReadOnlySpan<byte> data, string messageName)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;
    private ulong _varint;
    private ReadOnlySpan<byte> _bytes;

    /// <summary>The number of the current field.</summary>
    public int Number { get; private set; }

    /// <summary>The wire type of the current field.</summary>
    public int WireType { get; private set; }

    /// <summary>Moves to the next field; <see langword="false"/> at the end.</summary>
    public bool MoveNext()
    {
        if (_position >= _data.Length)
        {
            return false;
        }

        int position = _position;
        if (!ProtobufWire.TryReadTag(_data, ref position, out int number, out int wireType))
        {
            throw Malformed($"a bad field key at byte {_position}");
        }

        Number = number;
        WireType = wireType;
        ReadOnlySpan<byte> bytes = default;
        ulong varint = 0;
        bool read = wireType switch
        {
            ProtobufWire.Varint => ProtobufWire.TryReadVarint(_data, ref position, out varint),
            ProtobufWire.LengthDelimited => ProtobufWire.TryReadBytes(_data, ref position, out bytes),
            _ => ProtobufWire.TrySkip(_data, ref position, wireType),
        };
        if (!read)
        {
            throw Malformed($"field {number} runs past the end or has an unsupported wire type {wireType}");
        }

        _position = position;
        _varint = varint;
        _bytes = bytes;
        return true;
    }

    /// <summary>The current field as a UTF-8 string.</summary>
    public readonly string ReadString()
    {
        var bytes = ReadBytes();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed($"field {Number} is not UTF-8 text");
        }
    }

    /// <summary>The current field as the bytes of an embedded message.</summary>
    public readonly ReadOnlySpan<byte> ReadBytes()
    {
        if (WireType != ProtobufWire.LengthDelimited)
        {
            throw Malformed($"field {Number} has wire type {WireType} where length-delimited data belongs");
        }

        return _bytes;
    }

    /// <summary>The current field as an int32 varint.</summary>
    public readonly int ReadInt32()
    {
        if (WireType != ProtobufWire.Varint)
        {
            throw Malformed($"field {Number} has wire type {WireType} where a varint belongs");
        }

        return (int)_varint;
    }

    /// <summary>The current field as a bool varint.</summary>
    public readonly bool ReadBool() => ReadInt32() != 0;

    /// <summary>An exception saying which descriptor message is malformed and how.</summary>
    public readonly InvalidDataException Malformed(string what) => new($"{messageName}: {what}");
}
