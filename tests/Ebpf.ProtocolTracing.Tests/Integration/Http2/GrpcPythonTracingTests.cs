using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Http2;

/// <summary>A gRPC peer that is not .NET: python3-grpcio (gRPC C-core) calling Kestrel over h2c.</summary>
[Collection("Kernel")]
public sealed class GrpcPythonTracingTests
{
    [KernelFact]
    public async Task Python_grpcio_client_to_kestrel()
    {
        Assert.True(GrpcPythonClient.IsAvailable(), "python3-grpcio is not installed for /usr/bin/python3; run scripts/install-prerequisites.sh");
        await using var server = await GrpcKestrelServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions { TraceOwnProcess = true });

        var python = await GrpcPythonClient.RunAsync(server.Port, "py");

        // Kestrel's side: both calls complete, with C-core's headers and the hand-built messages.
        var served = await session.WaitForAsync<GrpcRecord>(r => r.Pid == Environment.ProcessId && r.LocalEndPoint?.Port == server.Port, 2, "Kestrel's side");
        Assert.All(served, r => Assert.Equal(ConnectionRole.Server, r.Role));
        Assert.All(served, r => Assert.Equal(0, r.StatusCode));
        Assert.All(served, r => Assert.True(r.Latency > TimeSpan.Zero));
        Assert.All(served, r => Assert.StartsWith("grpc-python/", r.RequestHeaders["user-agent"], StringComparison.Ordinal));
        var unary = Assert.Single(served, r => r.Method == "SayHello");
        Assert.Equal("1: \"py\"", unary.RequestMessages[0].Text);
        Assert.Equal("1: \"hello py\" 2: 1", unary.ResponseMessages[0].Text);
        var lots = Assert.Single(served, r => r.Method == "Lots");
        Assert.Equal((1, 3), (lots.RequestMessageCount, lots.ResponseMessageCount));

        // Python's side: C-core writes each request as one sendmsg of many small iovecs (more than 16);
        // they arrive whole, so its requests decode like Kestrel's view of them.
        var sent = await session.WaitForAsync<GrpcRecord>(r => r.Pid == python.Pid && r.RemoteEndPoint?.Port == server.Port, 2, "python's side");
        Assert.All(sent, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.All(sent, r => Assert.Equal(0, r.StatusCode));
        Assert.All(sent, r => Assert.False(r.DataLost, r.ToString()));
        Assert.All(sent, r => Assert.StartsWith("grpc-python/", r.RequestHeaders["user-agent"], StringComparison.Ordinal));
        var sentUnary = Assert.Single(sent, r => r.Method == "SayHello");
        Assert.Equal("1: \"py\"", sentUnary.RequestMessages[0].Text);
        Assert.Equal("1: \"hello py\" 2: 1", sentUnary.ResponseMessages[0].Text);
        var sentLots = Assert.Single(sent, r => r.Method == "Lots");
        Assert.Equal((1, 3), (sentLots.RequestMessageCount, sentLots.ResponseMessageCount));
        Assert.Equal("1: \"py\"", sentLots.RequestMessages[0].Text);
    }
}
