using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Grpc.Protobuf.Schema;

/// <summary>
/// Renders protobuf bytes by their message type in text format: field names, enum value names, nested
/// messages and typed scalars (zigzag sint, signed and floating fixed values, packed repeated fields as
/// <c>name: [1, 2]</c>, maps as repeated <c>name { key: … value: … }</c>). Fields the type does not
/// declare, or whose wire type does not match the declaration, are rendered as without a schema.
/// </summary>
internal static class ProtobufSchemaRenderer
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Writes the fields of <paramref name="data"/>, which must have been checked with <see cref="ProtobufWire.IsMessage"/>.</summary>
    public static void WriteMessage(ReadOnlySpan<byte> data, ProtobufMessageType type, ProtobufTextWriter writer, int depthLeft)
    {
        int position = 0;
        bool first = true;
        while (position < data.Length && !writer.Full)
        {
            if (!ProtobufWire.TryReadTag(data, ref position, out int number, out int wireType))
            {
                return;
            }

            if (!first)
            {
                writer.Append(" ");
            }

            first = false;
            if (!type.Fields.TryGetValue(number, out var field) || !TryWriteField(data, ref position, field, wireType, writer, depthLeft))
            {
                ProtobufRawRenderer.WriteField(data, ref position, number, wireType, writer, depthLeft);
            }
        }
    }

    /// <summary>Writes a declared field; <see langword="false"/> (nothing written or read) when its wire type does not fit the declaration.</summary>
    private static bool TryWriteField(ReadOnlySpan<byte> data, ref int position, ProtobufField field, int wireType, ProtobufTextWriter writer, int depthLeft)
    {
        if (wireType == ProtobufWire.LengthDelimited && field.Packable)
        {
            int end = position;
            ProtobufWire.TryReadBytes(data, ref end, out var packed);
            if (!IsPacked(packed, field.WireType))
            {
                return false;
            }

            writer.Append(field.Name);
            WritePacked(packed, field, writer);
            position = end;
            return true;
        }

        if (wireType != field.WireType)
        {
            return false;
        }

        writer.Append(field.Name);
        switch (wireType)
        {
            case ProtobufWire.Varint:
                ProtobufWire.TryReadVarint(data, ref position, out ulong varint);
                writer.Append(": ");
                writer.Append(FormatVarint(varint, field));
                break;
            case ProtobufWire.Fixed64:
                writer.Append(": ");
                writer.Append(FormatFixed64(BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(position, 8)), field));
                position += 8;
                break;
            case ProtobufWire.Fixed32:
                writer.Append(": ");
                writer.Append(FormatFixed32(BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(position, 4)), field));
                position += 4;
                break;
            default:
                ProtobufWire.TryReadBytes(data, ref position, out var bytes);
                WriteLengthDelimited(bytes, field, writer, depthLeft);
                break;
        }

        return true;
    }

    private static void WriteLengthDelimited(ReadOnlySpan<byte> bytes, ProtobufField field, ProtobufTextWriter writer, int depthLeft)
    {
        switch (field.Type)
        {
            case ProtobufFieldType.String:
                if (TryDecodeUtf8(bytes, out var text))
                {
                    writer.Append(": ");
                    writer.AppendQuoted(text);
                    return;
                }

                break;
            case ProtobufFieldType.Bytes:
                if (ProtobufRawRenderer.TryGetPrintableText(bytes, out var printable))
                {
                    writer.Append(": ");
                    writer.AppendQuoted(printable);
                    return;
                }

                break;
            case ProtobufFieldType.Message when field.MessageType is null:
                // The type is not in any registered file: render the value as without a schema.
                ProtobufRawRenderer.WriteLengthDelimited(bytes, writer, depthLeft);
                return;
            case ProtobufFieldType.Message when ProtobufWire.IsMessage(bytes):
                if (depthLeft <= 1)
                {
                    writer.Append(" { … }");
                    return;
                }

                writer.Append(" {");
                if (bytes.Length > 0)
                {
                    writer.Append(" ");
                    WriteMessage(bytes, field.MessageType, writer, depthLeft - 1);
                }

                writer.Append(" }");
                return;
        }

        // Not what the declaration says (invalid UTF-8, a message that does not parse): the bytes.
        writer.Append(": ");
        writer.AppendBytes(bytes);
    }

    private static bool IsPacked(ReadOnlySpan<byte> packed, int elementWireType)
    {
        switch (elementWireType)
        {
            case ProtobufWire.Fixed64:
                return packed.Length % 8 == 0;
            case ProtobufWire.Fixed32:
                return packed.Length % 4 == 0;
            default:
                int position = 0;
                while (position < packed.Length)
                {
                    if (!ProtobufWire.TryReadVarint(packed, ref position, out _))
                    {
                        return false;
                    }
                }

                return true;
        }
    }

    private static void WritePacked(ReadOnlySpan<byte> packed, ProtobufField field, ProtobufTextWriter writer)
    {
        writer.Append(": [");
        int position = 0;
        while (position < packed.Length && !writer.Full)
        {
            if (position > 0)
            {
                writer.Append(", ");
            }

            switch (field.WireType)
            {
                case ProtobufWire.Fixed64:
                    writer.Append(FormatFixed64(BinaryPrimitives.ReadUInt64LittleEndian(packed.Slice(position, 8)), field));
                    position += 8;
                    break;
                case ProtobufWire.Fixed32:
                    writer.Append(FormatFixed32(BinaryPrimitives.ReadUInt32LittleEndian(packed.Slice(position, 4)), field));
                    position += 4;
                    break;
                default:
                    ProtobufWire.TryReadVarint(packed, ref position, out ulong varint);
                    writer.Append(FormatVarint(varint, field));
                    break;
            }
        }

        writer.Append("]");
    }

    private static string FormatVarint(ulong value, ProtobufField field) => field.Type switch
    {
        ProtobufFieldType.Int32 => ((int)value).ToString(CultureInfo.InvariantCulture),
        ProtobufFieldType.Int64 => ((long)value).ToString(CultureInfo.InvariantCulture),
        ProtobufFieldType.UInt32 => ((uint)value).ToString(CultureInfo.InvariantCulture),
        ProtobufFieldType.SInt32 => ((int)((uint)value >> 1) ^ -(int)((uint)value & 1)).ToString(CultureInfo.InvariantCulture),
        ProtobufFieldType.SInt64 => ((long)(value >> 1) ^ -(long)(value & 1)).ToString(CultureInfo.InvariantCulture),
        ProtobufFieldType.Bool => value != 0 ? "true" : "false",
        ProtobufFieldType.Enum => field.EnumType is not null && field.EnumType.Names.TryGetValue((int)value, out var name)
            ? name
            : ((int)value).ToString(CultureInfo.InvariantCulture),
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    private static string FormatFixed64(ulong bits, ProtobufField field) => field.Type switch
    {
        ProtobufFieldType.Double => FormatFloating(BitConverter.UInt64BitsToDouble(bits)),
        ProtobufFieldType.SFixed64 => ((long)bits).ToString(CultureInfo.InvariantCulture),
        _ => bits.ToString(CultureInfo.InvariantCulture),
    };

    private static string FormatFixed32(uint bits, ProtobufField field) => field.Type switch
    {
        ProtobufFieldType.Float => FormatFloating(BitConverter.UInt32BitsToSingle(bits)),
        ProtobufFieldType.SFixed32 => ((int)bits).ToString(CultureInfo.InvariantCulture),
        _ => bits.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Shortest round-trip text, with text format's spellings of the special values.</summary>
    private static string FormatFloating(double value) => value switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ when double.IsNaN(value) => "nan",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string FormatFloating(float value) => value switch
    {
        float.PositiveInfinity => "inf",
        float.NegativeInfinity => "-inf",
        _ when float.IsNaN(value) => "nan",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }
}
