using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Grpc.Core;

namespace Ebpf.ProtocolTracing.Tests.Integration.Http2;

/// <summary>gRPC and HTTP/2 over cleartext (h2c) against Kestrel, traced on the real kernel.</summary>
[Collection("Kernel")]
public sealed class GrpcTracingTests
{
    [KernelFact]
    public async Task Grpc_net_client_to_kestrel_unary_and_all_streaming_kinds_from_both_sides()
    {
        await using var server = await GrpcKestrelServer.StartAsync();
        await using var session = await TracingSession.StartAsync(OwnProcess());
        var invoker = server.Channel.CreateCallInvoker();

        var hello = await invoker.AsyncUnaryCall(GrpcTestService.SayHelloMethod, null, default, GrpcTestService.Request("unary"));
        Assert.Equal(GrpcTestService.Reply("unary", 1), hello);

        using (var lots = invoker.AsyncServerStreamingCall(GrpcTestService.LotsMethod, null, default, GrpcTestService.Request("server")))
        {
            int received = 0;
            while (await lots.ResponseStream.MoveNext(CancellationToken.None))
            {
                received++;
            }

            Assert.Equal(3, received);
        }

        using (var upload = invoker.AsyncClientStreamingCall(GrpcTestService.UploadMethod, null, default))
        {
            for (int i = 0; i < 3; i++)
            {
                await upload.RequestStream.WriteAsync(GrpcTestService.Request("up" + i));
            }

            await upload.RequestStream.CompleteAsync();
            Assert.Equal(GrpcTestService.Reply("uploads", 3), await upload.ResponseAsync);
        }

        using (var chat = invoker.AsyncDuplexStreamingCall(GrpcTestService.ChatMethod, null, default))
        {
            for (int i = 0; i < 2; i++)
            {
                await chat.RequestStream.WriteAsync(GrpcTestService.Request("chat" + i));
                Assert.True(await chat.ResponseStream.MoveNext(CancellationToken.None));
            }

            await chat.RequestStream.CompleteAsync();
            Assert.False(await chat.ResponseStream.MoveNext(CancellationToken.None));
        }

        var failure = await Assert.ThrowsAsync<RpcException>(async () => await invoker.AsyncUnaryCall(GrpcTestService.FailMethod, null, default, GrpcTestService.Request("nobody")));
        Assert.Equal(StatusCode.NotFound, failure.StatusCode);

        var served = await session.WaitForAsync<GrpcRecord>(r => r.LocalEndPoint?.Port == server.Port, 5, "Kestrel's side");
        var sent = await session.WaitForAsync<GrpcRecord>(r => r.RemoteEndPoint?.Port == server.Port, 5, "the client's side");
        foreach (var (records, role) in new[] { (served, ConnectionRole.Server), (sent, ConnectionRole.Client) })
        {
            Assert.All(records, r => Assert.Equal(Environment.ProcessId, r.Pid));
            Assert.All(records, r => Assert.Equal(role, r.Role));
            Assert.All(records, r => Assert.Equal(GrpcTestService.ServiceName, r.Service));
            Assert.All(records, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency} of {r}"));
            Assert.All(records, r => Assert.False(r.DataLost, r.ToString()));

            var unary = Assert.Single(records, r => r.Method == "SayHello");
            Assert.Equal((GrpcCallKind.Unary, 0, 200), (unary.Kind, unary.StatusCode, unary.HttpStatus));
            Assert.Equal(GrpcTestService.Request("unary"), unary.RequestMessages[0].Data.ToArray());
            Assert.Equal("1: \"unary\"", unary.RequestMessages[0].Text);
            Assert.Equal("1: \"hello unary\" 2: 1", unary.ResponseMessages[0].Text);

            var streamed = Assert.Single(records, r => r.Method == "Lots");
            Assert.Equal((GrpcCallKind.ServerStreaming, 1, 3), (streamed.Kind, streamed.RequestMessageCount, streamed.ResponseMessageCount));

            var client = Assert.Single(records, r => r.Method == "Upload");
            Assert.Equal((GrpcCallKind.ClientStreaming, 3, 1), (client.Kind, client.RequestMessageCount, client.ResponseMessageCount));

            var bidi = Assert.Single(records, r => r.Method == "Chat");
            Assert.Equal((GrpcCallKind.BidiStreaming, 2, 2), (bidi.Kind, bidi.RequestMessageCount, bidi.ResponseMessageCount));
            Assert.Equal(0, bidi.StatusCode);

            var failed = Assert.Single(records, r => r.Method == "Fail");
            Assert.Equal(5, failed.StatusCode);
            Assert.Equal("no greeting for nobody", failed.StatusMessage);
            Assert.True(failed.IsError);
        }
    }

    [KernelFact]
    public async Task Curl_with_http2_prior_knowledge_to_kestrel()
    {
        await using var server = await GrpcKestrelServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions { TraceOwnProcess = true });

        var curl = await ProcessRun.RunAsync("curl",
            ["--silent", "--show-error", "--fail", "--http2-prior-knowledge", "--noproxy", "*", "--max-time", "10", "-H", "Authorization: Bearer curl-s3cret", $"http://127.0.0.1:{server.Port}/hello?via=curl"],
            TestTimeouts.Process);
        Assert.True(curl.ExitCode == 0, curl.StandardError);
        Assert.Equal(GrpcKestrelServer.HelloBody, curl.StandardOutput);

        var sent = Assert.Single(await session.WaitForAsync<HttpRecord>(r => r.Pid == curl.Pid && r.RemoteEndPoint?.Port == server.Port, what: "curl's side"));
        var served = Assert.Single(await session.WaitForAsync<HttpRecord>(r => r.Pid == Environment.ProcessId && r.LocalEndPoint?.Port == server.Port, what: "Kestrel's side"));
        foreach (var (record, role) in new[] { (sent, ConnectionRole.Client), (served, ConnectionRole.Server) })
        {
            Assert.Equal(role, record.Role);
            Assert.Equal("HTTP/2", record.Version);
            Assert.Equal("GET", record.Method);
            Assert.Equal("/hello?via=curl", record.Target);
            Assert.Equal($"127.0.0.1:{server.Port}", record.Authority);
            Assert.Equal("http", record.Scheme);
            Assert.Equal(200, record.StatusCode);
            Assert.Equal(GrpcKestrelServer.HelloBody.Length, record.ResponseBodySize);
            Assert.Equal(HttpParserOptions.RedactedValue, record.RequestHeaders["authorization"]);
            Assert.DoesNotContain("curl-s3cret", record.ToString() + record.RequestHeaders, StringComparison.Ordinal);
            Assert.True(record.Latency > TimeSpan.Zero);
            Assert.False(record.DataLost);
        }
    }

    [KernelFact]
    public async Task Tracer_started_after_the_connection_is_up_still_decodes_later_calls()
    {
        await using var server = await GrpcKestrelServer.StartAsync();
        var invoker = server.Channel.CreateCallInvoker();

        // Before tracing: the connection is set up and both HPACK tables fill with this call's fields.
        for (int i = 0; i < 3; i++)
        {
            await invoker.AsyncUnaryCall(GrpcTestService.SayHelloMethod, null, default, GrpcTestService.Request("before" + i));
        }

        await using var session = await TracingSession.StartAsync(OwnProcess());
        await invoker.AsyncUnaryCall(GrpcTestService.SayHelloMethod, null, default, GrpcTestService.Request("after"));
        await invoker.AsyncUnaryCall(GrpcTestService.SayHelloAgainMethod, null, default, GrpcTestService.Request("again"));

        var served = await session.WaitForAsync<GrpcRecord>(r => r.LocalEndPoint?.Port == server.Port && r.RequestMessageCount == 1 && r.ResponseMessageCount == 1, 2, "Kestrel's side");
        var sent = await session.WaitForAsync<GrpcRecord>(r => r.RemoteEndPoint?.Port == server.Port && r.RequestMessageCount == 1 && r.ResponseMessageCount == 1, 2, "the client's side");
        foreach (var records in new[] { served, sent })
        {
            // A method first called after the join arrives as literals: fully decoded.
            var again = Assert.Single(records, r => r.Method == "SayHelloAgain");
            Assert.Equal("1: \"again\"", again.RequestMessages[0].Text);
            Assert.Equal("1: \"hello again\" 2: 2", again.ResponseMessages[0].Text);

            // The call repeated from before the join may reference table entries never seen: those fields
            // are marked unknown (not guessed), and the messages still decode.
            var after = Assert.Single(records, r => r.RequestMessages[0].Text == "1: \"after\"");
            Assert.Equal("1: \"hello after\" 2: 1", after.ResponseMessages[0].Text);
            Assert.True(after.Method is "SayHello" or null, after.ToString());
            if (after.Method is null)
            {
                Assert.Contains(after.RequestHeaders, h => h.Key == "[unknown]" || h.Value == "[unknown]");
                Assert.True(after.DataLost);
            }
        }
    }

    private static ProtocolTracingOptions OwnProcess()
    {
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        return options;
    }
}
