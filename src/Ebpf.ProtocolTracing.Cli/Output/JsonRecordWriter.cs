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
        JsonSerializer.Serialize(_json, RecordJson.From(record), CliJsonContext.Default.RecordJson);
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
