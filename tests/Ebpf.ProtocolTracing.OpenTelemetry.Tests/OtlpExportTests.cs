using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace Ebpf.ProtocolTracing.OpenTelemetry.Tests;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task Spans_reach_an_otlp_http_protobuf_receiver()
    {
        var posts = new List<(string? ContentType, byte[] Body)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var receiver = builder.Build();
        receiver.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            lock (posts)
            {
                posts.Add((request.ContentType, body.ToArray()));
            }

            return Results.Ok();
        });
        await receiver.StartAsync();
        var address = receiver.Urls.Single();

        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(ProtocolTracingInstrumentation.ActivitySourceName)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(address + "/v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build())
        {
            using var emitter = new ProtocolRecordSpanEmitter();
            emitter.Emit(TestRecords.Http(ConnectionRole.Server));
            emitter.Emit(TestRecords.Http(ConnectionRole.Client));
            Assert.True(provider.ForceFlush(10_000));
        }

        await receiver.StopAsync();
        lock (posts)
        {
            Assert.Equal(2, posts.Count);
            Assert.All(posts, post =>
            {
                Assert.Equal("application/x-protobuf", post.ContentType);
                Assert.True(Contains(post.Body, "Ebpf.ProtocolTracing"u8), "the scope name is in the export");
                Assert.True(Contains(post.Body, "/orders/17"u8), "url.path is in the export");
                Assert.False(Contains(post.Body, "token=secret"u8), "the query is not");
            });
        }
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
