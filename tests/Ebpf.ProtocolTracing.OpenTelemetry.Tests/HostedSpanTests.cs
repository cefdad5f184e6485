using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ebpf.ProtocolTracing.OpenTelemetry.Tests;

public sealed class HostedSpanTests
{
    [Fact]
    public async Task The_host_turns_every_record_of_the_tracer_into_a_span()
    {
        var exported = new List<Activity>();
        var tracer = new FakeProtocolTracer();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IProtocolTracer>(tracer);
        builder.Services.AddOpenTelemetry().WithTracing(t => t
            .AddProtocolTracing(o => o.Filter = r => r.Role == ConnectionRole.Server)
            .AddInMemoryExporter(exported));
        using var host = builder.Build();
        await host.StartAsync();

        tracer.Write(TestRecords.Http(ConnectionRole.Server, target: "/a"));
        tracer.Write(TestRecords.Http(ConnectionRole.Client, target: "/left-out"));
        tracer.Write(TestRecords.Http(ConnectionRole.Server, target: "/b"));

        var provider = host.Services.GetRequiredService<TracerProvider>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Count(exported) < 2 && DateTime.UtcNow < deadline)
        {
            provider.ForceFlush();
            await Task.Delay(20);
        }

        await host.StopAsync();
        lock (exported)
        {
            Assert.Equal(["/a", "/b"], exported.Select(a => (string?)a.GetTagItem("url.path")));
        }
    }

    [Fact]
    public void The_meter_provider_extension_exports_the_tracer_metrics()
    {
        var metrics = new List<Metric>();
        using var meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddProtocolTracingInstrumentation()
            .AddInMemoryExporter(metrics)
            .Build();
        using var tracer = new ProtocolTracer(new ProtocolTracingOptions());

        meterProvider.ForceFlush();

        Assert.Contains(metrics, m => m.Name == "ebpf.protocol_tracing.events.read");
        Assert.Contains(metrics, m => m.Name == "ebpf.protocol_tracing.connections.tracked");
    }

    private static int Count(List<Activity> exported)
    {
        lock (exported)
        {
            return exported.Count;
        }
    }
}
