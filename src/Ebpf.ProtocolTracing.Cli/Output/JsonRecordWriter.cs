using System.Text.Json;

namespace Ebpf.ProtocolTracing.Cli.Output;

/// <summary>One JSON object per line on stdout, flushed per record so a pipe sees it at once.</summary>
internal sealed class JsonRecordWriter : IRecordWriter
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Stream _output;
    private readonly Utf8JsonWriter _json;

    public JsonRecordWriter(Stream output)
    {
        _output = output;
        _json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public void Write(ProtocolRecord record)
    {
        // One flat object: the common fields, then the record type's own.
        var common = JsonSerializer.SerializeToElement(RecordJson.From(record), CliJsonContext.Default.RecordJson);
        var details = JsonSerializer.SerializeToElement(record, record.GetType(), RecordDetailsJson.Options);
        _json.WriteStartObject();
        foreach (var property in common.EnumerateObject())
            property.WriteTo(_json);
        foreach (var property in details.EnumerateObject())
            property.WriteTo(_json);
        _json.WriteEndObject();
        _json.Flush();
        _json.Reset();
        _output.Write(NewLine);
        _output.Flush();
    }

    public void Flush() => _output.Flush();

    public void Dispose()
    {
        _json.Dispose();
        _output.Flush();
    }
}
