namespace Ebpf.ProtocolTracing.Grpc.Protobuf;

/// <summary>
/// Renders gRPC messages as protobuf text: by the schema when the host registered descriptor sets that
/// describe the method, else without one.
/// </summary>
internal sealed class ProtobufRenderer
{
    private readonly int _maxDepth;
    private readonly int _maxChars;
    private readonly ProtobufSchema? _schema;

    public ProtobufRenderer(int maxDepth, int maxChars, ProtobufSchema? schema)
    {
        _maxDepth = maxDepth;
        _maxChars = maxChars;
        _schema = schema;
    }

    /// <summary>The fully qualified message type of a method's input or output, or <see langword="null"/> when no schema describes it.</summary>
    public string? MessageTypeOf(string? path, bool input) => path is null ? null : _schema?.MessageTypeOf(path, input);

    /// <summary>Renders one message; <see langword="null"/> when the bytes are not protobuf.</summary>
    public string? Render(ReadOnlySpan<byte> data, string? messageType)
    {
        if (messageType is not null && _schema is not null && _schema.TryRender(data, messageType, _maxDepth, _maxChars, out var text))
        {
            return text;
        }

        return ProtobufRawRenderer.Render(data, _maxDepth, _maxChars);
    }
}
