using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http2;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Integration.Http2.Generated;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Google.Protobuf;

namespace Ebpf.ProtocolTracing.Tests.Integration.Http2;

/// <summary>gRPC on the real kernel with the service's schema registered: messages carry field names.</summary>
[Collection("Kernel")]
public sealed class GrpcSchemaTracingTests
{
    [KernelFact]
    public async Task Registered_schema_names_the_fields_of_both_sides_messages()
    {
        var parserOptions = new Http2ParserOptions();
        parserOptions.ProtobufDescriptorSets.Add(GreeterReflection.Descriptor.SerializedData.ToByteArray());
        await using var server = await GrpcKestrelServer.StartAsync();
        var tracing = new ProtocolTracingOptions { TraceOwnProcess = true };
        tracing.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(tracing, [new Http2Parser(parserOptions)]);
        var invoker = server.Channel.CreateCallInvoker();

        // The service builds its bytes by hand; they are exactly what the generated types write.
        var request = new HelloRequest { Name = "schema" }.ToByteArray();
        Assert.Equal(GrpcTestService.Request("schema"), request);
        var reply = await invoker.AsyncUnaryCall(GrpcTestService.SayHelloMethod, null, default, request);
        Assert.Equal(new HelloReply { Message = "hello schema", Counter = 1 }, HelloReply.Parser.ParseFrom(reply));

        using (var lots = invoker.AsyncServerStreamingCall(GrpcTestService.LotsMethod, null, default, GrpcTestService.Request("many")))
        {
            while (await lots.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }

        var served = await session.WaitForAsync<GrpcRecord>(r => r.LocalEndPoint?.Port == server.Port, 2, "Kestrel's side");
        var sent = await session.WaitForAsync<GrpcRecord>(r => r.RemoteEndPoint?.Port == server.Port, 2, "the client's side");
        foreach (var records in new[] { served, sent })
        {
            var unary = Assert.Single(records, r => r.Method == "SayHello");
            Assert.Equal("name: \"schema\"", unary.RequestMessages[0].Text);
            Assert.Equal("message: \"hello schema\" counter: 1", unary.ResponseMessages[0].Text);

            var streamed = Assert.Single(records, r => r.Method == "Lots");
            Assert.Equal("name: \"many\"", streamed.RequestMessages[0].Text);
            Assert.Equal(["message: \"hello many\" counter: 1", "message: \"hello many\" counter: 2", "message: \"hello many\" counter: 3"],
                streamed.ResponseMessages.Select(m => m.Text));
        }
    }
}
