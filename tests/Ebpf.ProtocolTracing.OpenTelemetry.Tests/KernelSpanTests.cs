using System.Diagnostics;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace Ebpf.ProtocolTracing.OpenTelemetry.Tests;

/// <summary>curl to nginx on the real kernel, exported as spans by a host.</summary>
[Collection("Kernel")]
public sealed class KernelSpanTests
{
    [KernelFact]
    public async Task Curl_to_nginx_is_exported_as_a_server_span_and_a_client_span()
    {
        await using var nginx = await NginxServer.StartAsync();
        var exported = new List<Activity>();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddProtocolTracing(o => o.Protocols.Add("http"));
        builder.Services.AddOpenTelemetry().WithTracing(t => t.AddProtocolTracing().AddInMemoryExporter(exported));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            using (var attach = new CancellationTokenSource(TestTimeouts.Attach))
            {
                await host.Services.GetRequiredService<IProtocolTracer>().Attached.WaitAsync(attach.Token);
            }

            // The second, rate-limited request keeps curl alive long enough for /proc to be read.
            var curl = await Curl.RunAsync("--rate", "4/s", nginx.Url("/index.html?q=1"), nginx.Url("/index.html?q=1"));
            var provider = host.Services.GetRequiredService<TracerProvider>();
            var deadline = DateTime.UtcNow + TestTimeouts.Records;
            Activity? server = null;
            Activity? client = null;
            while ((server is null || client is null) && DateTime.UtcNow < deadline)
            {
                provider.ForceFlush();
                lock (exported)
                {
                    server ??= exported.FirstOrDefault(a => Equals(a.GetTagItem("process.pid"), nginx.Pid) && Equals(a.GetTagItem("server.port"), nginx.Port));
                    client ??= exported.FirstOrDefault(a => Equals(a.GetTagItem("process.pid"), curl.Pid) && Equals(a.GetTagItem("server.port"), nginx.Port));
                }

                await Task.Delay(20);
            }

            Assert.NotNull(server);
            Assert.NotNull(client);
            Assert.Equal(ActivityKind.Server, server.Kind);
            Assert.Equal("GET", server.GetTagItem("http.request.method"));
            Assert.Equal("/index.html", server.GetTagItem("url.path"));
            Assert.Equal(200, server.GetTagItem("http.response.status_code"));
            Assert.Equal("nginx", server.GetTagItem("process.executable.name"));
            Assert.True(server.Duration > TimeSpan.Zero, $"duration {server.Duration}");
            Assert.Equal(ActivityKind.Client, client.Kind);
            Assert.Equal("curl", client.GetTagItem("process.executable.name"));
            Assert.EndsWith("/curl", (string?)client.GetTagItem("process.executable.path"), StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
