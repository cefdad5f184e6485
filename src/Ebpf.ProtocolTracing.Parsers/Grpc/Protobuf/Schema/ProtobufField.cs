namespace Ebpf.ProtocolTracing.Grpc.Protobuf.Schema;

/// <summary>One field of a message type, from a <c>FieldDescriptorProto</c>.</summary>
internal sealed class ProtobufField(string name, int number, ProtobufFieldType type, bool repeated, string? typeName)
{
    /// <summary>The field's name as declared, e.g. <c>user_id</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The field number on the wire.</summary>
    public int Number { get; } = number;

    /// <summary>The declared type; <see cref="ProtobufFieldType.Unresolved"/> until linked when only a type name was given.</summary>
    public ProtobufFieldType Type { get; set; } = type;

    /// <summary>Whether the field is repeated (maps are repeated entry messages).</summary>
    public bool Repeated { get; } = repeated;

    /// <summary>The message or enum type name as written in the descriptor (fully qualified with a leading dot, or relative).</summary>
    public string? TypeName { get; } = typeName;

    /// <summary>The message type of a message field, once linked; <see langword="null"/> when not found.</summary>
    public ProtobufMessageType? MessageType { get; set; }

    /// <summary>The enum type of an enum field, once linked; <see langword="null"/> when not found.</summary>
    public ProtobufEnumType? EnumType { get; set; }

    /// <summary>The wire type a value of this field is written with when not packed.</summary>
    public int WireType => Type switch
    {
        ProtobufFieldType.Double or ProtobufFieldType.Fixed64 or ProtobufFieldType.SFixed64 => ProtobufWire.Fixed64,
        ProtobufFieldType.Float or ProtobufFieldType.Fixed32 or ProtobufFieldType.SFixed32 => ProtobufWire.Fixed32,
        ProtobufFieldType.String or ProtobufFieldType.Bytes or ProtobufFieldType.Message => ProtobufWire.LengthDelimited,
        ProtobufFieldType.Group => ProtobufWire.StartGroup,
        _ => ProtobufWire.Varint,
    };

    /// <summary>Whether repeated values may travel packed in one length-delimited field (numeric scalars and enums).</summary>
    public bool Packable => Repeated && WireType is ProtobufWire.Varint or ProtobufWire.Fixed64 or ProtobufWire.Fixed32;
}
