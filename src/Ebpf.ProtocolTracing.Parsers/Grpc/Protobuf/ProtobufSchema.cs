namespace Ebpf.ProtocolTracing.Grpc.Protobuf;

/// <summary>Message and service definitions read from FileDescriptorSets, used to render messages with field names.</summary>
/// <remarks>
/// Not implemented yet: descriptor sets are accepted but no method is resolved, so every message is
/// rendered without a schema.
/// </remarks>
internal sealed class ProtobufSchema
{
    private readonly Dictionary<string, (string Input, string Output)> _methods = new(StringComparer.Ordinal);

    /// <summary>Reads serialized FileDescriptorSets.</summary>
    public static ProtobufSchema Load(IEnumerable<byte[]> descriptorSets)
    {
        ArgumentNullException.ThrowIfNull(descriptorSets);
        return new ProtobufSchema();
    }

    /// <summary>The input or output type of the method at a gRPC path, or <see langword="null"/>.</summary>
    public string? MessageTypeOf(string path, bool input) =>
        _methods.TryGetValue(path, out var method) ? (input ? method.Input : method.Output) : null;

    /// <summary>Renders <paramref name="data"/> as <paramref name="messageType"/>.</summary>
    public bool TryRender(ReadOnlySpan<byte> data, string messageType, int maxDepth, int maxChars, out string text)
    {
        // Nothing is resolved yet (see the remarks), so this is never reached with a known type.
        _ = data.Length + maxDepth + maxChars + messageType.Length + _methods.Count;
        text = string.Empty;
        return false;
    }
}
