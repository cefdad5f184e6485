using System.Diagnostics;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Tracing;

/// <summary>The tracer on the real kernel, filtered to a server process the test starts.</summary>
[Collection("Kernel")]
public sealed class ProtocolTracerKernelTests
{
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(30);

    [KernelFact]
    public async Task A_curl_request_comes_out_as_an_HttpRecord_of_the_server()
    {
        using var server = await LoopbackHttpServer.StartAsync(ProcessTimeout);
        await using var tracer = new ProtocolTracer(OptionsFor(server));
        await tracer.StartAsync().WaitAsync(AttachTimeout);
        await tracer.Attached.WaitAsync(AttachTimeout);

        var (_, body) = await CurlClient.GetAsync($"http://127.0.0.1:{server.Port}/hello.txt?probe=1", ProcessTimeout);
        Assert.Equal("hello from the test server\n", body);

        var record = await FirstHttpRecordAsync(tracer, r => r.Target == "/hello.txt?probe=1");
        Assert.Equal("http", record.Protocol);
        Assert.Equal("GET", record.Method);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal(ConnectionRole.Server, record.Role);
        Assert.Equal(server.Pid, record.Pid);
        Assert.Equal(server.Port, record.LocalEndPoint?.Port);
        Assert.Equal(body.Length, record.ResponseBodySize);
        Assert.NotNull(record.Latency);
        Assert.True(record.Latency >= TimeSpan.Zero, $"latency {record.Latency}");
        Assert.False(record.DataLost);
        Assert.InRange(record.RequestTime, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [KernelFact]
    public async Task Start_stop_and_dispose_are_idempotent_and_statistics_count_the_traffic()
    {
        using var server = await LoopbackHttpServer.StartAsync(ProcessTimeout);
        var tracer = new ProtocolTracer(OptionsFor(server));
        await Task.WhenAll(tracer.StartAsync(), tracer.StartAsync()).WaitAsync(AttachTimeout);
        await tracer.StartAsync();
        Assert.True(tracer.Attached.IsCompletedSuccessfully);
        Assert.True(tracer.AttachedProbeCount > 0);

        await CurlClient.GetAsync($"http://127.0.0.1:{server.Port}/hello.txt", ProcessTimeout);
        await FirstHttpRecordAsync(tracer, r => r.Target == "/hello.txt");
        var running = tracer.GetStatistics();
        Assert.True(running.EventsRead > 0, $"events read: {running}");
        Assert.True(running.KernelEventsSent >= running.EventsRead, $"kernel sent fewer events than were read: {running}");
        Assert.True(running.RecordsProduced >= 1, $"records: {running}");

        // Stops racing from several threads, then every other way of stopping, all harmless.
        await Task.WhenAll(tracer.StopAsync(), Task.Run(() => tracer.StopAsync()), Task.Run(tracer.Dispose)).WaitAsync(ProcessTimeout);
        await tracer.StopAsync();
        await tracer.DisposeAsync();
        tracer.Dispose();

        var final = tracer.GetStatistics();
        Assert.Equal(final, tracer.GetStatistics());
        Assert.True(final.EventsRead >= running.EventsRead);
        Assert.True(final.RecordsProduced >= running.RecordsProduced);
        Assert.Equal(0, tracer.AttachedProbeCount);
        Assert.Equal(0UL, final.RecordsDropped);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tracer.StartAsync());

        // The record stream ends once the tracer stopped.
        using var timeout = new CancellationTokenSource(RecordTimeout);
        await foreach (var _ in tracer.ReadRecordsAsync(timeout.Token))
        {
        }
    }

    [KernelFact]
    public async Task Records_beyond_the_buffer_capacity_are_dropped_and_counted_not_blocking()
    {
        using var server = await LoopbackHttpServer.StartAsync(ProcessTimeout);
        var options = OptionsFor(server);
        options.RecordBufferCapacity = 1;
        await using var tracer = new ProtocolTracer(options);
        await tracer.StartAsync().WaitAsync(AttachTimeout);

        const int requests = 4;
        for (var i = 0; i < requests; i++)
            await CurlClient.GetAsync($"http://127.0.0.1:{server.Port}/hello.txt?n={i}", ProcessTimeout);

        // Nobody reads: the reader thread must go on producing and count what did not fit.
        var deadline = Stopwatch.GetTimestamp() + (long)(RecordTimeout.TotalSeconds * Stopwatch.Frequency);
        while (tracer.GetStatistics().RecordsProduced < requests && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(50);
        await tracer.StopAsync();

        var statistics = tracer.GetStatistics();
        var read = 0UL;
        await foreach (var _ in tracer.ReadRecordsAsync())
            read++;
        Assert.True(statistics.RecordsProduced >= requests, $"{statistics}");
        Assert.Equal(1UL, read);
        Assert.Equal(statistics.RecordsProduced - 1, statistics.RecordsDropped);
    }

    private static ProtocolTracingOptions OptionsFor(LoopbackHttpServer server)
    {
        var options = new ProtocolTracingOptions();
        options.ProcessIds.Add(server.Pid);
        return options;
    }

    private static async Task<HttpRecord> FirstHttpRecordAsync(ProtocolTracer tracer, Func<HttpRecord, bool> wanted)
    {
        using var timeout = new CancellationTokenSource(RecordTimeout);
        try
        {
            await foreach (var record in tracer.ReadRecordsAsync(timeout.Token))
            {
                if (record is HttpRecord http && wanted(http))
                    return http;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }

        Assert.Fail($"no matching HTTP record within {RecordTimeout.TotalSeconds} s; statistics: {tracer.GetStatistics()}");
        return null!;
    }
}
