using Ebpf.ProtocolTracing.Grpc.Protobuf;
using Ebpf.ProtocolTracing.Parsers.Tests.Grpc.Generated;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Grpc;

/// <summary>Descriptors of the generated test messages, as hosts would register them.</summary>
internal static class SchemaFixtures
{
    public const string OptionName = "Http2ParserOptions.ProtobufDescriptorSets";

    /// <summary>schema_kinds.proto as Google.Protobuf's generated code holds it (one FileDescriptorProto).</summary>
    public static byte[] KindsFile => SchemaKindsReflection.Descriptor.SerializedData.ToByteArray();

    /// <summary>google/protobuf/timestamp.proto, which schema_kinds.proto imports.</summary>
    public static byte[] TimestampFile => TimestampReflection.Descriptor.SerializedData.ToByteArray();

    /// <summary>A FileDescriptorSet of both files, as <c>protoc --include_imports --descriptor_set_out</c> writes it (imports first).</summary>
    public static byte[] KindsSet()
    {
        var set = new FileDescriptorSet();
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(TimestampFile));
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(KindsFile));
        return set.ToByteArray();
    }

    public static ProtobufSchema Load(params byte[][] descriptors) => ProtobufSchema.Load(descriptors, OptionName);

    /// <summary>Renders a message as <paramref name="typeName"/> with generous limits; fails the test when the schema declines.</summary>
    public static string Render(ProtobufSchema schema, IMessage message, string typeName = "tracing.kinds.AllKinds", int maxDepth = 16, int maxChars = 4096) =>
        Render(schema, message.ToByteArray(), typeName, maxDepth, maxChars);

    public static string Render(ProtobufSchema schema, byte[] bytes, string typeName = "tracing.kinds.AllKinds", int maxDepth = 16, int maxChars = 4096)
    {
        Assert.True(schema.TryRender(bytes, typeName, maxDepth, maxChars, out var text), $"the schema declined {Convert.ToHexString(bytes)} as {typeName}");
        return text;
    }
}
