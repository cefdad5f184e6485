namespace Ebpf.ProtocolTracing.Grpc.Protobuf.Schema;

/// <summary>
/// A field's declared type, numbered as <c>FieldDescriptorProto.Type</c> in descriptor.proto
/// (https://github.com/protocolbuffers/protobuf/blob/main/src/google/protobuf/descriptor.proto).
/// </summary>
internal enum ProtobufFieldType
{
    /// <summary>Not set: the type is found from the type name (a message or an enum).</summary>
    Unresolved = 0,
    Double = 1,
    Float = 2,
    Int64 = 3,
    UInt64 = 4,
    Int32 = 5,
    Fixed64 = 6,
    Fixed32 = 7,
    Bool = 8,
    String = 9,
    Group = 10,
    Message = 11,
    Bytes = 12,
    UInt32 = 13,
    Enum = 14,
    SFixed32 = 15,
    SFixed64 = 16,
    SInt32 = 17,
    SInt64 = 18,
}
