using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Ebpf.ProtocolTracing.Tests.Tracing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tests.DependencyInjection;

/// <summary>The hosted service on the real kernel: host start attaches, host stop detaches.</summary>
[Collection("Kernel")]
public sealed class ProtocolTracingHostingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [KernelFact]
    public async Task Host_start_attaches_and_host_stop_ends_the_records()
    {
        using var server = await LoopbackHttpServer.StartAsync(Timeout);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddProtocolTracing(o => o.ProcessIds.Add(server.Pid));
        using var host = builder.Build();
        var tracer = host.Services.GetRequiredService<IProtocolTracer>();

        await host.StartAsync().WaitAsync(Timeout);
        Assert.True(tracer.Attached.IsCompletedSuccessfully, "host start returned before the probes were attached");

        await CurlClient.GetAsync($"http://127.0.0.1:{server.Port}/hello.txt?host=1", Timeout);
        using var readTimeout = new CancellationTokenSource(Timeout);
        HttpRecord? seen = null;
        await foreach (var record in tracer.ReadRecordsAsync(readTimeout.Token))
        {
            if (record is HttpRecord { Target: "/hello.txt?host=1" } http)
            {
                seen = http;
                break;
            }
        }

        Assert.Equal(200, seen?.StatusCode);

        await host.StopAsync().WaitAsync(Timeout);
        using var drainTimeout = new CancellationTokenSource(Timeout);
        await foreach (var _ in tracer.ReadRecordsAsync(drainTimeout.Token))
        {
        }

        Assert.True(tracer.Attached.IsCompletedSuccessfully);
    }
}
