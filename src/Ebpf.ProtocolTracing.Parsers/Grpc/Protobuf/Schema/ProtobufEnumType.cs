namespace Ebpf.ProtocolTracing.Grpc.Protobuf.Schema;

/// <summary>An enum type, from an <c>EnumDescriptorProto</c>: value names by number.</summary>
internal sealed class ProtobufEnumType(string fullName)
{
    /// <summary>The fully qualified name without a leading dot.</summary>
    public string FullName { get; } = fullName;

    /// <summary>The first name declared for each number (aliases share a number).</summary>
    public Dictionary<int, string> Names { get; } = [];
}
