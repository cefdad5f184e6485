namespace Ebpf.ProtocolTracing.Grpc.Protobuf.Schema;

/// <summary>A message type, from a <c>DescriptorProto</c>: its fields by number.</summary>
internal sealed class ProtobufMessageType(string fullName, bool isMapEntry)
{
    /// <summary>The fully qualified name without a leading dot, e.g. <c>helloworld.HelloRequest</c>.</summary>
    public string FullName { get; } = fullName;

    /// <summary>Whether this is the synthetic entry type of a map field (fields <c>key</c> = 1 and <c>value</c> = 2).</summary>
    public bool IsMapEntry { get; } = isMapEntry;

    /// <summary>The fields by number.</summary>
    public Dictionary<int, ProtobufField> Fields { get; } = [];
}
