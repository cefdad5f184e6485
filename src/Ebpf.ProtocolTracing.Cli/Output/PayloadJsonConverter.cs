using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ebpf.ProtocolTracing.Cli.Output;

/// <summary>Writes captured bytes (bodies, values) as text when they are printable UTF-8, else as <c>base64:…</c>.</summary>
internal sealed class PayloadJsonConverter : JsonConverter<ReadOnlyMemory<byte>>
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("The CLI only writes records.");

    public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options)
    {
        if (value.IsEmpty)
        {
            writer.WriteStringValue(string.Empty);
            return;
        }

        if (TryGetText(value.Span, out var text))
            writer.WriteStringValue(text);
        else
            writer.WriteStringValue("base64:" + Convert.ToBase64String(value.Span));
    }

    private static bool TryGetText(ReadOnlySpan<byte> bytes, out string text)
    {
        text = string.Empty;
        foreach (var b in bytes)
        {
            if (b < 0x20 && b is not (byte)'\r' and not (byte)'\n' and not (byte)'\t')
                return false;
        }

        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
