using Ebpf.ProtocolTracing.Http2;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Tests.Integration.Http2.Generated;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace Ebpf.ProtocolTracing.Tests.Integration.Http2;

/// <summary>Registering protobuf schemas through dependency injection.</summary>
public sealed class GrpcSchemaRegistrationTests
{
    [Fact]
    public void ConfigureHttp2_takes_descriptor_bytes_and_files()
    {
        var path = Path.Combine(Path.GetTempPath(), $"greeter-{Guid.NewGuid():N}.pb");
        File.WriteAllBytes(path, GreeterReflection.Descriptor.SerializedData.ToByteArray());
        try
        {
            var services = new ServiceCollection();
            services.AddProtocolTracing().ConfigureHttp2(o => o.AddProtobufDescriptorSetFile(path));
            using var provider = services.BuildServiceProvider();
            var parser = Assert.Single(provider.GetServices<IProtocolParser>(), p => p is Http2Parser);
            Assert.Equal("http2", parser.Name);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Malformed_descriptor_fails_when_the_parser_is_resolved_and_names_the_option()
    {
        var services = new ServiceCollection();
        services.AddProtocolTracing().ConfigureHttp2(o => o.ProtobufDescriptorSets.Add([0x0a, 0x05, 0x01]));
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<ArgumentException>(() => provider.GetServices<IProtocolParser>().ToList());
        Assert.Contains("Http2ParserOptions.ProtobufDescriptorSets[0]", error.Message, StringComparison.Ordinal);
    }
}
