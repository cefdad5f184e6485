using Ebpf.ProtocolTracing.Grpc.Protobuf;
using Ebpf.ProtocolTracing.Http2;
using Ebpf.ProtocolTracing.Parsers.Tests.Grpc.Generated;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using static Ebpf.ProtocolTracing.Parsers.Tests.Grpc.SchemaFixtures;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Grpc;

/// <summary>Malformed schemas fail at start and name the option; payloads the schema does not describe fall back.</summary>
public sealed class ProtobufSchemaRobustnessTests
{
    public static TheoryData<string, byte[]> BadSchemas() => new()
    {
        { "not protobuf", [0xff, 0xff, 0xff, 0xff] },
        { "truncated set", KindsSet()[..^7] },
        { "empty set", [] },
        { "text", "syntax = \"proto3\"; message M {}"u8.ToArray() },
        // A FileDescriptorProto whose message_type (4) is a varint instead of a DescriptorProto.
        { "wrong wire type", [0x0a, 0x03, (byte)'a', (byte)'.', (byte)'p', 0x20, 0x01] },
        // A DescriptorProto whose field has type 99.
        { "unknown field type", FileWith(new DescriptorProto { Name = "M", Field = { new FieldDescriptorProto { Name = "f", Number = 1, Type = (FieldDescriptorProto.Types.Type)99 } } }) },
        { "field number zero", FileWith(new DescriptorProto { Name = "M", Field = { new FieldDescriptorProto { Name = "f", Number = 0, Type = FieldDescriptorProto.Types.Type.Int32 } } }) },
        { "message without a name", FileWith(new DescriptorProto()) },
    };

    [Theory]
    [MemberData(nameof(BadSchemas))]
    public void Malformed_descriptor_fails_when_the_parser_is_created_and_names_the_option(string kind, byte[] bad)
    {
        var options = new Http2ParserOptions();
        options.ProtobufDescriptorSets.Add(KindsSet());
        options.ProtobufDescriptorSets.Add(bad);
        var error = Assert.Throws<ArgumentException>(() => new Http2Parser(options));
        Assert.Contains("Http2ParserOptions.ProtobufDescriptorSets[1]", error.Message, StringComparison.Ordinal);
        Assert.Contains("--descriptor_set_out", error.Message, StringComparison.Ordinal);
        _ = kind;
    }

    [Fact]
    public void Malformed_descriptor_is_ignored_when_protobuf_is_not_rendered()
    {
        var options = new Http2ParserOptions { RenderProtobuf = false };
        options.ProtobufDescriptorSets.Add([0xff]);
        _ = new Http2Parser(options);
    }

    [Fact]
    public void Payload_that_is_not_protobuf_is_declined()
    {
        var schema = Load(KindsSet());
        Assert.False(schema.TryRender([0xff, 0xff, 0xff], "tracing.kinds.AllKinds", 16, 4096, out _));
        Assert.False(schema.TryRender(new AllKinds { AString = "cut short" }.ToByteArray().AsSpan()[..^2], "tracing.kinds.AllKinds", 16, 4096, out _));
        Assert.False(schema.TryRender(new AllKinds { AnInt32 = 1 }.ToByteArray(), "tracing.kinds.Unknown", 16, 4096, out _));

        var renderer = new ProtobufRenderer(16, 4096, schema);
        Assert.Null(renderer.Render([0xff, 0xff, 0xff], "tracing.kinds.AllKinds"));
    }

    [Fact]
    public void Undeclared_fields_and_mismatched_wire_types_render_as_without_a_schema()
    {
        var schema = Load(KindsSet());
        byte[] bytes =
        [
            .. new AllKinds { AnInt32 = 1 }.ToByteArray(),
            0xf8, 0x06, 0x05,             // field 111 (not declared), varint 5
            0x48, 0x07,                   // field 9 (a_string) as a varint
            0x8a, 0x01, 0x03, 0xff, 0x00, 0x01, // field 17 (inner) whose bytes are not a message
            0x92, 0x01, 0x01, 0xc3,       // field 18 (packed_ints) whose varint is cut short
        ];
        Assert.Equal("an_int32: 1 111: 5 9: 7 inner: \"\\xff\\x00\\x01\" 18: \"\\xc3\"", Render(schema, bytes));
    }

    [Fact]
    public void Invalid_utf8_in_a_string_field_renders_as_bytes()
    {
        byte[] bytes = [0x4a, 0x02, 0xc3, 0x28]; // field 9 (a_string), invalid UTF-8
        Assert.Equal("a_string: \"\\xc3\\x28\"", Render(Load(KindsSet()), bytes));
    }

    [Fact]
    public void Relative_type_names_and_missing_types_resolve_by_scope_as_protoc_does()
    {
        // Hand-written descriptors may leave the type unset and name types relative to the message's scope.
        var file = new FileDescriptorProto
        {
            Name = "relative.proto",
            Package = "outer.pkg",
            MessageType =
            {
                new DescriptorProto
                {
                    Name = "Holder",
                    Field =
                    {
                        new FieldDescriptorProto { Name = "part", Number = 1, TypeName = "Part" },
                        new FieldDescriptorProto { Name = "mode", Number = 2, TypeName = "pkg.Mode" },
                        new FieldDescriptorProto { Name = "missing", Number = 3, TypeName = "Nowhere", Type = FieldDescriptorProto.Types.Type.Message },
                    },
                    NestedType = { new DescriptorProto { Name = "Part", Field = { new FieldDescriptorProto { Name = "n", Number = 1, Type = FieldDescriptorProto.Types.Type.Sint32 } } } },
                },
            },
            EnumType = { new EnumDescriptorProto { Name = "Mode", Value = { new EnumValueDescriptorProto { Name = "FAST", Number = 1 } } } },
            Service = { new ServiceDescriptorProto { Name = "Svc", Method = { new MethodDescriptorProto { Name = "Call", InputType = "Holder", OutputType = ".outer.pkg.Holder.Part" } } } },
        };
        var schema = Load(file.ToByteArray());
        Assert.Equal("outer.pkg.Holder", schema.MessageTypeOf("/outer.pkg.Svc/Call", input: true));
        Assert.Equal("outer.pkg.Holder.Part", schema.MessageTypeOf("/outer.pkg.Svc/Call", input: false));
        byte[] bytes = [0x0a, 0x02, 0x08, 0x03, 0x10, 0x01, 0x1a, 0x02, 0x08, 0x01];
        Assert.Equal("part { n: -2 } mode: FAST missing { 1: 1 }", Render(schema, bytes, "outer.pkg.Holder"));
    }

    private static byte[] FileWith(DescriptorProto message) =>
        new FileDescriptorProto { Name = "bad.proto", Package = "bad", Syntax = "proto3", MessageType = { message } }.ToByteArray();
}
