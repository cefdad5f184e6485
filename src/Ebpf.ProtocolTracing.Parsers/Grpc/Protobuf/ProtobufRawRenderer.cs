using System.Text;

namespace Ebpf.ProtocolTracing.Grpc.Protobuf;

/// <summary>
/// Renders protobuf bytes without a schema, like <c>protoc --decode_raw</c>: field numbers with varints as
/// numbers, fixed-width values in hex, and length-delimited values as a nested message when they parse
/// as one, else as text when they are UTF-8, else as escaped bytes.
/// </summary>
internal static class ProtobufRawRenderer
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Renders <paramref name="data"/>; <see langword="null"/> when it is not a protobuf message.</summary>
    public static string? Render(ReadOnlySpan<byte> data, int maxDepth, int maxChars)
    {
        if (!ProtobufWire.IsMessage(data))
        {
            return null;
        }

        var writer = new ProtobufTextWriter(maxChars);
        WriteMessage(data, writer, maxDepth);
        return writer.ToString();
    }

    private static void WriteMessage(ReadOnlySpan<byte> data, ProtobufTextWriter writer, int depthLeft)
    {
        int position = 0;
        bool first = true;
        while (position < data.Length && !writer.Full)
        {
            if (!ProtobufWire.TryReadTag(data, ref position, out int field, out int wireType))
            {
                return;
            }

            if (!first)
            {
                writer.Append(" ");
            }

            first = false;
            WriteField(data, ref position, field, wireType, writer, depthLeft);
        }
    }

    /// <summary>
    /// Writes one field whose key was just read, as its number and value, and moves past the value;
    /// <paramref name="data"/> must have been checked with <see cref="ProtobufWire.IsMessage"/>.
    /// </summary>
    internal static void WriteField(ReadOnlySpan<byte> data, ref int position, int field, int wireType, ProtobufTextWriter writer, int depthLeft)
    {
        writer.Append((ulong)field);
        switch (wireType)
        {
            case ProtobufWire.Varint:
                ProtobufWire.TryReadVarint(data, ref position, out ulong varint);
                writer.Append(": ");
                writer.Append(varint);
                break;
            case ProtobufWire.Fixed64:
                writer.Append(": 0x" + System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(position, 8)).ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
                position += 8;
                break;
            case ProtobufWire.Fixed32:
                writer.Append(": 0x" + System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(position, 4)).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
                position += 4;
                break;
            case ProtobufWire.LengthDelimited:
                ProtobufWire.TryReadBytes(data, ref position, out var bytes);
                WriteLengthDelimited(bytes, writer, depthLeft);
                break;
        }
    }

    /// <summary>Writes a length-delimited value of unknown meaning: as text, as a nested message, or as escaped bytes.</summary>
    internal static void WriteLengthDelimited(ReadOnlySpan<byte> bytes, ProtobufTextWriter writer, int depthLeft)
    {
        // Text first when it is printable: short strings often also parse as messages.
        if (TryGetPrintableText(bytes, out var text))
        {
            writer.Append(": ");
            writer.AppendQuoted(text);
            return;
        }

        if (depthLeft > 1 && bytes.Length > 0 && ProtobufWire.IsMessage(bytes))
        {
            writer.Append(" { ");
            WriteMessage(bytes, writer, depthLeft - 1);
            writer.Append(" }");
            return;
        }

        writer.Append(": ");
        writer.AppendBytes(bytes);
    }

    /// <summary>Whether the bytes are UTF-8 text without control characters other than tab and line breaks.</summary>
    internal static bool TryGetPrintableText(ReadOnlySpan<byte> bytes, out string text)
    {
        text = string.Empty;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
            {
                return false;
            }
        }

        return true;
    }
}
