using Ebpf.ProtocolTracing.Parsers.Tests.Grpc.Generated;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static Ebpf.ProtocolTracing.Parsers.Tests.Grpc.SchemaFixtures;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Grpc;

/// <summary>Each field kind of a generated message, serialized by Google.Protobuf and rendered by the registered schema.</summary>
public sealed class ProtobufSchemaFieldKindTests
{
    public static TheoryData<string, AllKinds, string> Kinds() => new()
    {
        { "double", new AllKinds { ADouble = 1.5 }, "a_double: 1.5" },
        { "double infinity", new AllKinds { ADouble = double.NegativeInfinity }, "a_double: -inf" },
        { "float", new AllKinds { AFloat = -2.25f }, "a_float: -2.25" },
        { "int64 negative", new AllKinds { AnInt64 = -5 }, "an_int64: -5" },
        { "uint64 max", new AllKinds { AUint64 = ulong.MaxValue }, "a_uint64: 18446744073709551615" },
        { "int32 negative (ten-byte varint)", new AllKinds { AnInt32 = -1 }, "an_int32: -1" },
        { "fixed64", new AllKinds { AFixed64 = 0x1122334455667788 }, "a_fixed64: 1234605616436508552" },
        { "fixed32", new AllKinds { AFixed32 = 4_000_000_000 }, "a_fixed32: 4000000000" },
        { "bool", new AllKinds { ABool = true }, "a_bool: true" },
        { "string escaped", new AllKinds { AString = "h\u00e9llo \"q\"\n" }, "a_string: \"h\u00e9llo \\\"q\\\"\\n\"" },
        { "bytes binary", new AllKinds { SomeBytes = ByteString.CopyFrom(0, 1, 0xff) }, "some_bytes: \"\\x00\\x01\\xff\"" },
        { "bytes text", new AllKinds { SomeBytes = ByteString.CopyFromUtf8("plain") }, "some_bytes: \"plain\"" },
        { "uint32", new AllKinds { AUint32 = 3_000_000_000 }, "a_uint32: 3000000000" },
        { "enum by name", new AllKinds { AColor = Color.Green }, "a_color: GREEN" },
        { "enum value not declared", new AllKinds { AColor = (Color)7 }, "a_color: 7" },
        { "sfixed32", new AllKinds { AnSfixed32 = -7 }, "an_sfixed32: -7" },
        { "sfixed64", new AllKinds { AnSfixed64 = long.MinValue }, "an_sfixed64: -9223372036854775808" },
        { "sint32 zigzag", new AllKinds { AnSint32 = -3 }, "an_sint32: -3" },
        { "sint64 zigzag", new AllKinds { AnSint64 = long.MinValue }, "an_sint64: -9223372036854775808" },
        {
            "nested message", new AllKinds { Inner = new Inner { Label = "a", Color = Color.Red, Child = new Inner { Label = "b" } } },
            "inner { label: \"a\" color: RED child { label: \"b\" } }"
        },
        { "empty nested message", new AllKinds { Inner = new Inner() }, "inner { }" },
        { "packed int32", new AllKinds { PackedInts = { 1, -1, 300 } }, "packed_ints: [1, -1, 300]" },
        { "packed sint64", new AllKinds { PackedSints = { -1, 2, long.MaxValue } }, "packed_sints: [-1, 2, 9223372036854775807]" },
        { "packed double", new AllKinds { PackedDoubles = { 0.5, double.NaN } }, "packed_doubles: [0.5, nan]" },
        { "packed enum", new AllKinds { Colors = { Color.Red, Color.Green, (Color)9 } }, "colors: [RED, GREEN, 9]" },
        { "unpacked repeated int32", new AllKinds { UnpackedInts = { 1, 2 } }, "unpacked_ints: 1 unpacked_ints: 2" },
        { "repeated string", new AllKinds { Names = { "x", "y" } }, "names: \"x\" names: \"y\"" },
        { "repeated message", new AllKinds { Inners = { new Inner { Label = "1" }, new Inner { Label = "2" } } }, "inners { label: \"1\" } inners { label: \"2\" }" },
        { "map string to int32", new AllKinds { Counts = { ["a"] = 1 } }, "counts { key: \"a\" value: 1 }" },
        { "map int32 to message", new AllKinds { ById = { [5] = new Inner { Label = "five" } } }, "by_id { key: 5 value { label: \"five\" } }" },
        { "imported message type", new AllKinds { At = new Timestamp { Seconds = 1_700_000_000, Nanos = 5 } }, "at { seconds: 1700000000 nanos: 5 }" },
        { "oneof member", new AllKinds { ChoiceText = "t" }, "choice_text: \"t\"" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Field_kind_renders_typed_and_named(string kind, AllKinds message, string expected)
    {
        Assert.Equal(expected, Render(Load(KindsSet()), message));
        _ = kind;
    }

    [Fact]
    public void Fields_render_in_wire_order_separated_by_spaces()
    {
        var message = new AllKinds { AnInt32 = 1, AString = "s", Inner = new Inner { Color = Color.Green }, PackedInts = { 4 } };
        Assert.Equal("an_int32: 1 a_string: \"s\" inner { color: GREEN } packed_ints: [4]", Render(Load(KindsSet()), message));
    }

    [Fact]
    public void Generated_file_alone_renders_its_own_types_and_falls_back_for_the_unregistered_import()
    {
        var schema = Load(KindsFile);
        var message = new AllKinds { AString = "s", At = new Timestamp { Seconds = 7, Nanos = 8 } };
        Assert.Equal("a_string: \"s\" at { 1: 7 2: 8 }", Render(schema, message));
    }

    [Fact]
    public void Separately_registered_files_link_in_any_order()
    {
        var message = new AllKinds { At = new Timestamp { Seconds = 7 } };
        Assert.Equal("at { seconds: 7 }", Render(Load(KindsFile, TimestampFile), message));
        Assert.Equal("at { seconds: 7 }", Render(Load(TimestampFile, KindsFile), message));
    }

    [Fact]
    public void Methods_resolve_their_input_and_output_types_from_the_grpc_path()
    {
        var schema = Load(KindsSet());
        Assert.Equal("tracing.kinds.AllKinds", schema.MessageTypeOf("/tracing.kinds.Catalog/Put", input: true));
        Assert.Equal("tracing.kinds.Inner", schema.MessageTypeOf("/tracing.kinds.Catalog/Put", input: false));
        Assert.Equal("tracing.kinds.Inner", schema.MessageTypeOf("/tracing.kinds.Catalog/Get", input: true));
        Assert.Null(schema.MessageTypeOf("/tracing.kinds.Catalog/Missing", input: true));
        Assert.Null(schema.MessageTypeOf("/other.Service/Put", input: true));
    }

    [Fact]
    public void Depth_and_length_limits_hold()
    {
        var schema = Load(KindsSet());
        var deep = new AllKinds { Inner = new Inner { Label = "1", Child = new Inner { Label = "2", Child = new Inner { Label = "3" } } } };
        Assert.Equal("inner { label: \"1\" child { label: \"2\" child { … } } }", Render(schema, deep, maxDepth: 3));

        var long_ = new AllKinds { Names = { Enumerable.Range(0, 200).Select(i => "name" + i) } };
        var text = Render(schema, long_, maxChars: 64);
        Assert.EndsWith("…", text, StringComparison.Ordinal);
        Assert.True(text.Length <= 65, text);
        Assert.StartsWith("names: \"name0\" names: \"name1\"", text, StringComparison.Ordinal);
    }
}
