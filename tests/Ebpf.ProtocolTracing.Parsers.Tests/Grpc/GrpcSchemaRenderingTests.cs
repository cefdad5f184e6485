using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http2;
using Ebpf.ProtocolTracing.Parsers.Tests.Grpc.Generated;
using Ebpf.ProtocolTracing.Parsers.Tests.Http2;
using Google.Protobuf;
using static Ebpf.ProtocolTracing.Parsers.Tests.Http2.Http2Samples;
using static Ebpf.ProtocolTracing.Parsers.Tests.Http2.Http2Wire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Grpc;

/// <summary>gRPC calls through the HTTP/2 parser with a registered schema: messages typed by the method in :path.</summary>
public sealed class GrpcSchemaRenderingTests
{
    private static readonly AllKinds Request = new() { AString = "put me", PackedInts = { 1, 2 }, Counts = { ["k"] = 3 } };
    private static readonly Inner Reply = new() { Label = "stored", Color = Color.Green };

    private static (StreamDirection, byte[])[] Call(string path) =>
    [
        .. ClientStart(),
        (Out, Concat(GrpcRequestHeaders(1, path), Data(1, GrpcMessage(Request.ToByteArray()), endStream: true))),
        (In, Concat(OkResponse(1, "application/grpc"), Data(1, GrpcMessage(Reply.ToByteArray())), GrpcTrailers(1, 0))),
    ];

    private static Http2ParserOptions WithSchema()
    {
        var options = new Http2ParserOptions();
        options.ProtobufDescriptorSets.Add(SchemaFixtures.KindsSet());
        return options;
    }

    [Fact]
    public void Request_and_response_render_as_the_methods_input_and_output_types()
    {
        var call = Assert.IsType<GrpcRecord>(Assert.Single(Http2Run.Whole(Call("/tracing.kinds.Catalog/Put"), WithSchema()).Context.Records));
        Assert.Equal("a_string: \"put me\" packed_ints: [1, 2] counts { key: \"k\" value: 3 }", call.RequestMessages[0].Text);
        Assert.Equal("label: \"stored\" color: GREEN", call.ResponseMessages[0].Text);
        Assert.False(call.DataLost);
    }

    [Fact]
    public void Method_the_schema_does_not_describe_renders_without_one()
    {
        var call = Assert.IsType<GrpcRecord>(Assert.Single(Http2Run.Whole(Call("/other.Service/Put"), WithSchema()).Context.Records));
        Assert.Equal("1: \"stored\" 2: 2", call.ResponseMessages[0].Text);
        Assert.StartsWith("9: \"put me\"", call.RequestMessages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_schema_the_same_call_renders_field_numbers()
    {
        var call = Assert.IsType<GrpcRecord>(Assert.Single(Http2Run.Whole(Call("/tracing.kinds.Catalog/Put")).Context.Records));
        Assert.Equal("1: \"stored\" 2: 2", call.ResponseMessages[0].Text);
    }

    [Fact]
    public void Options_load_descriptor_files_from_disk()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kinds-{Guid.NewGuid():N}.pb");
        File.WriteAllBytes(path, SchemaFixtures.KindsSet());
        try
        {
            var options = new Http2ParserOptions();
            options.AddProtobufDescriptorSetFile(path);
            var call = Assert.IsType<GrpcRecord>(Assert.Single(Http2Run.Whole(Call("/tracing.kinds.Catalog/Put"), options).Context.Records));
            Assert.Equal("label: \"stored\" color: GREEN", call.ResponseMessages[0].Text);
        }
        finally
        {
            File.Delete(path);
        }

        var missing = Assert.Throws<FileNotFoundException>(() => new Http2ParserOptions().AddProtobufDescriptorSetFile(path));
        Assert.Contains(path, missing.Message, StringComparison.Ordinal);
    }
}
