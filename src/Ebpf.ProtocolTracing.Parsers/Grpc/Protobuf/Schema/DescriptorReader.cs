namespace Ebpf.ProtocolTracing.Grpc.Protobuf.Schema;

/// <summary>
/// Decodes the messages of descriptor.proto (https://github.com/protocolbuffers/protobuf/blob/main/src/google/protobuf/descriptor.proto)
/// that say how messages look on the wire and which types methods take, and adds them to a <see cref="ProtobufTypeTable"/>.
/// Options, source info, extensions and reserved ranges are skipped.
/// </summary>
internal static class DescriptorReader
{
    // FileDescriptorSet
    private const int SetFile = 1;

    // FileDescriptorProto
    private const int FilePackage = 2;
    private const int FileMessageType = 4;
    private const int FileEnumType = 5;
    private const int FileService = 6;

    // DescriptorProto
    private const int MessageName = 1;
    private const int MessageField = 2;
    private const int MessageNestedType = 3;
    private const int MessageEnumType = 4;
    private const int MessageOptions = 7;
    private const int MessageOptionsMapEntry = 7;

    // FieldDescriptorProto
    private const int FieldName = 1;
    private const int FieldNumber = 3;
    private const int FieldLabel = 4;
    private const int FieldType = 5;
    private const int FieldTypeName = 6;
    private const int LabelRepeated = 3;

    // EnumDescriptorProto and EnumValueDescriptorProto
    private const int EnumName = 1;
    private const int EnumValue = 2;
    private const int EnumValueName = 1;
    private const int EnumValueNumber = 2;

    // ServiceDescriptorProto and MethodDescriptorProto
    private const int ServiceName = 1;
    private const int ServiceMethod = 2;
    private const int MethodName = 1;
    private const int MethodInputType = 2;
    private const int MethodOutputType = 3;

    /// <summary>
    /// Reads a serialized <c>FileDescriptorSet</c> or a single <c>FileDescriptorProto</c> (what
    /// Google.Protobuf's <c>FileDescriptor.SerializedData</c> holds) and returns how many files it held.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not such a message.</exception>
    public static int Read(ReadOnlySpan<byte> data, ProtobufTypeTable table)
    {
        if (!ProtobufWire.IsMessage(data))
        {
            throw new InvalidDataException("the bytes are not a protobuf message");
        }

        if (!IsFileSet(data))
        {
            ReadFile(data, table);
            return 1;
        }

        int files = 0;
        var set = new DescriptorFieldCursor(data, "FileDescriptorSet");
        while (set.MoveNext())
        {
            ReadFile(set.ReadBytes(), table);
            files++;
        }

        if (files == 0)
        {
            throw new InvalidDataException("the FileDescriptorSet holds no file");
        }

        return files;
    }

    /// <summary>
    /// A FileDescriptorSet has only field 1 (its files); a FileDescriptorProto also has field 1 (its name)
    /// but always more (package, messages, syntax …), and its name is text rather than a message.
    /// </summary>
    private static bool IsFileSet(ReadOnlySpan<byte> data)
    {
        int position = 0;
        while (position < data.Length)
        {
            ProtobufWire.TryReadTag(data, ref position, out int number, out int wireType);
            if (number != SetFile || wireType != ProtobufWire.LengthDelimited)
            {
                return false;
            }

            ProtobufWire.TryReadBytes(data, ref position, out var file);
            if (!ProtobufWire.IsMessage(file))
            {
                return false;
            }
        }

        return true;
    }

    private static void ReadFile(ReadOnlySpan<byte> data, ProtobufTypeTable table)
    {
        // The package comes first in protoc's output, but the format allows any order: find it first.
        string package = string.Empty;
        var cursor = new DescriptorFieldCursor(data, "FileDescriptorProto");
        while (cursor.MoveNext())
        {
            if (cursor.Number == FilePackage)
            {
                package = cursor.ReadString();
            }
        }

        cursor = new DescriptorFieldCursor(data, "FileDescriptorProto");
        while (cursor.MoveNext())
        {
            switch (cursor.Number)
            {
                case FileMessageType:
                    ReadMessage(cursor.ReadBytes(), package, table);
                    break;
                case FileEnumType:
                    ReadEnum(cursor.ReadBytes(), package, table);
                    break;
                case FileService:
                    ReadService(cursor.ReadBytes(), package, table);
                    break;
            }
        }
    }

    private static void ReadMessage(ReadOnlySpan<byte> data, string scope, ProtobufTypeTable table)
    {
        string? name = null;
        bool mapEntry = false;
        var cursor = new DescriptorFieldCursor(data, "DescriptorProto");
        while (cursor.MoveNext())
        {
            if (cursor.Number == MessageName)
            {
                name = cursor.ReadString();
            }
            else if (cursor.Number == MessageOptions)
            {
                mapEntry = ReadMapEntryOption(cursor.ReadBytes());
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw cursor.Malformed("a message type without a name");
        }

        var type = new ProtobufMessageType(Qualify(scope, name), mapEntry);
        table.Add(type);
        cursor = new DescriptorFieldCursor(data, "DescriptorProto " + type.FullName);
        while (cursor.MoveNext())
        {
            switch (cursor.Number)
            {
                case MessageField:
                    var field = ReadField(cursor.ReadBytes(), type.FullName);
                    type.Fields.TryAdd(field.Number, field);
                    break;
                case MessageNestedType:
                    ReadMessage(cursor.ReadBytes(), type.FullName, table);
                    break;
                case MessageEnumType:
                    ReadEnum(cursor.ReadBytes(), type.FullName, table);
                    break;
            }
        }
    }

    private static bool ReadMapEntryOption(ReadOnlySpan<byte> options)
    {
        bool mapEntry = false;
        var cursor = new DescriptorFieldCursor(options, "MessageOptions");
        while (cursor.MoveNext())
        {
            if (cursor.Number == MessageOptionsMapEntry)
            {
                mapEntry = cursor.ReadBool();
            }
        }

        return mapEntry;
    }

    private static ProtobufField ReadField(ReadOnlySpan<byte> data, string messageName)
    {
        string? name = null;
        string? typeName = null;
        int number = 0;
        int type = 0;
        bool repeated = false;
        var cursor = new DescriptorFieldCursor(data, "FieldDescriptorProto in " + messageName);
        while (cursor.MoveNext())
        {
            switch (cursor.Number)
            {
                case FieldName:
                    name = cursor.ReadString();
                    break;
                case FieldNumber:
                    number = cursor.ReadInt32();
                    break;
                case FieldLabel:
                    repeated = cursor.ReadInt32() == LabelRepeated;
                    break;
                case FieldType:
                    type = cursor.ReadInt32();
                    break;
                case FieldTypeName:
                    typeName = cursor.ReadString();
                    break;
            }
        }

        if (string.IsNullOrEmpty(name) || number is <= 0 or >= 1 << 29)
        {
            throw cursor.Malformed($"a field without a name or with number {number} (1 … 2^29−1)");
        }

        if (type is < 0 or > (int)ProtobufFieldType.SInt64 || (type == 0 && string.IsNullOrEmpty(typeName)))
        {
            throw cursor.Malformed($"field {name} has type {type}, which is not a descriptor.proto field type");
        }

        return new ProtobufField(name, number, (ProtobufFieldType)type, repeated, typeName);
    }

    private static void ReadEnum(ReadOnlySpan<byte> data, string scope, ProtobufTypeTable table)
    {
        string? name = null;
        var cursor = new DescriptorFieldCursor(data, "EnumDescriptorProto");
        while (cursor.MoveNext())
        {
            if (cursor.Number == EnumName)
            {
                name = cursor.ReadString();
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw cursor.Malformed("an enum type without a name");
        }

        var type = new ProtobufEnumType(Qualify(scope, name));
        cursor = new DescriptorFieldCursor(data, "EnumDescriptorProto " + type.FullName);
        while (cursor.MoveNext())
        {
            if (cursor.Number == EnumValue)
            {
                ReadEnumValue(cursor.ReadBytes(), type);
            }
        }

        table.Add(type);
    }

    private static void ReadEnumValue(ReadOnlySpan<byte> data, ProtobufEnumType type)
    {
        string? name = null;
        int number = 0;
        var cursor = new DescriptorFieldCursor(data, "EnumValueDescriptorProto in " + type.FullName);
        while (cursor.MoveNext())
        {
            if (cursor.Number == EnumValueName)
            {
                name = cursor.ReadString();
            }
            else if (cursor.Number == EnumValueNumber)
            {
                number = cursor.ReadInt32();
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw cursor.Malformed("an enum value without a name");
        }

        type.Names.TryAdd(number, name);
    }

    private static void ReadService(ReadOnlySpan<byte> data, string scope, ProtobufTypeTable table)
    {
        string? name = null;
        var cursor = new DescriptorFieldCursor(data, "ServiceDescriptorProto");
        while (cursor.MoveNext())
        {
            if (cursor.Number == ServiceName)
            {
                name = cursor.ReadString();
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw cursor.Malformed("a service without a name");
        }

        string service = Qualify(scope, name);
        cursor = new DescriptorFieldCursor(data, "ServiceDescriptorProto " + service);
        while (cursor.MoveNext())
        {
            if (cursor.Number == ServiceMethod)
            {
                ReadMethod(cursor.ReadBytes(), service, scope, table);
            }
        }
    }

    private static void ReadMethod(ReadOnlySpan<byte> data, string service, string scope, ProtobufTypeTable table)
    {
        string? name = null;
        string? input = null;
        string? output = null;
        var cursor = new DescriptorFieldCursor(data, "MethodDescriptorProto in " + service);
        while (cursor.MoveNext())
        {
            switch (cursor.Number)
            {
                case MethodName:
                    name = cursor.ReadString();
                    break;
                case MethodInputType:
                    input = cursor.ReadString();
                    break;
                case MethodOutputType:
                    output = cursor.ReadString();
                    break;
            }
        }

        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(input) || string.IsNullOrEmpty(output))
        {
            throw cursor.Malformed("a method without a name, an input type or an output type");
        }

        table.AddMethod("/" + service + "/" + name, scope, input, output);
    }

    private static string Qualify(string scope, string name) => scope.Length == 0 ? name : scope + "." + name;
}
