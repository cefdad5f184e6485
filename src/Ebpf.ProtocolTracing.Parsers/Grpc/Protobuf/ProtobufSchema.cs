using Ebpf.ProtocolTracing.Grpc.Protobuf.Schema;

namespace Ebpf.ProtocolTracing.Grpc.Protobuf;

/// <summary>Message and service definitions read from FileDescriptorSets, used to render messages with field names.</summary>
internal sealed class ProtobufSchema
{
    private readonly ProtobufTypeTable _types;

    private ProtobufSchema(ProtobufTypeTable types) => _types = types;

    /// <summary>
    /// Reads serialized FileDescriptorSets (or single FileDescriptorProtos) and links their type names
    /// across all of them, so imports may come in any order or in separate sets.
    /// </summary>
    /// <param name="descriptorSets">The serialized descriptors.</param>
    /// <param name="optionName">The option they came from, named in errors.</param>
    /// <exception cref="ArgumentException">One of them is not a serialized FileDescriptorSet or FileDescriptorProto.</exception>
    public static ProtobufSchema Load(IEnumerable<byte[]> descriptorSets, string optionName)
    {
        ArgumentNullException.ThrowIfNull(descriptorSets);
        var types = new ProtobufTypeTable();
        int index = 0;
        foreach (var set in descriptorSets)
        {
            try
            {
                DescriptorReader.Read(set, types);
            }
            catch (InvalidDataException e)
            {
                throw new ArgumentException(
                    $"{optionName}[{index}] ({set.Length} bytes) is not a serialized google.protobuf.FileDescriptorSet or FileDescriptorProto: {e.Message}. " +
                    "Write one with `protoc --include_imports --descriptor_set_out=FILE …` and pass the file's bytes, or pass a generated type's Descriptor.File.SerializedData.",
                    optionName,
                    e);
            }

            index++;
        }

        types.Link();
        return new ProtobufSchema(types);
    }

    /// <summary>The input or output type of the method at a gRPC path, or <see langword="null"/>.</summary>
    public string? MessageTypeOf(string path, bool input) =>
        _types.Methods.TryGetValue(path, out var method) ? (input ? method.Input : method.Output)?.FullName : null;

    /// <summary>Renders <paramref name="data"/> as <paramref name="messageType"/>; <see langword="false"/> when the type is unknown or the bytes are not protobuf.</summary>
    public bool TryRender(ReadOnlySpan<byte> data, string messageType, int maxDepth, int maxChars, out string text)
    {
        text = string.Empty;
        var type = _types.MessageNamed(messageType);
        if (type is null || !ProtobufWire.IsMessage(data))
        {
            return false;
        }

        var writer = new ProtobufTextWriter(maxChars);
        ProtobufSchemaRenderer.WriteMessage(data, type, writer, maxDepth);
        text = writer.ToString();
        return true;
    }
}
