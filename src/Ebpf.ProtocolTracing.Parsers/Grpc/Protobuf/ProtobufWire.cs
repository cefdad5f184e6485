namespace Ebpf.ProtocolTracing.Grpc.Protobuf;

/// <summary>The protobuf wire format's primitives (https://protobuf.dev/programming-guides/encoding/).</summary>
internal static class ProtobufWire
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int StartGroup = 3;
    public const int EndGroup = 4;
    public const int Fixed32 = 5;

    /// <summary>Reads a base-128 varint of at most 10 bytes.</summary>
    public static bool TryReadVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && position < data.Length; shift += 7)
        {
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads a field key: a field number (1 … 2^29−1) and a wire type.</summary>
    public static bool TryReadTag(ReadOnlySpan<byte> data, ref int position, out int fieldNumber, out int wireType)
    {
        fieldNumber = wireType = 0;
        if (!TryReadVarint(data, ref position, out ulong key) || key > uint.MaxValue)
        {
            return false;
        }

        fieldNumber = (int)(key >> 3);
        wireType = (int)(key & 7);
        return fieldNumber is > 0 and < (1 << 29);
    }

    /// <summary>Reads a length-delimited payload.</summary>
    public static bool TryReadBytes(ReadOnlySpan<byte> data, scoped ref int position, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (!TryReadVarint(data, ref position, out ulong length) || length > (ulong)(data.Length - position))
        {
            return false;
        }

        bytes = data.Slice(position, (int)length);
        position += (int)length;
        return true;
    }

    /// <summary>Skips one field's value of <paramref name="wireType"/>; groups are not supported (deprecated and rare).</summary>
    public static bool TrySkip(ReadOnlySpan<byte> data, ref int position, int wireType)
    {
        switch (wireType)
        {
            case Varint:
                return TryReadVarint(data, ref position, out _);
            case Fixed64:
                position += 8;
                return position <= data.Length;
            case LengthDelimited:
                return TryReadBytes(data, ref position, out _);
            case Fixed32:
                position += 4;
                return position <= data.Length;
            default:
                return false;
        }
    }

    /// <summary>Whether <paramref name="data"/> is a sequence of well-formed fields, to the last byte.</summary>
    public static bool IsMessage(ReadOnlySpan<byte> data)
    {
        int position = 0;
        while (position < data.Length)
        {
            if (!TryReadTag(data, ref position, out _, out int wireType) || !TrySkip(data, ref position, wireType))
            {
                return false;
            }
        }

        return true;
    }
}
