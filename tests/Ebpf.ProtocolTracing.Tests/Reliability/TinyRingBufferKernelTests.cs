using System.Diagnostics;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Ebpf.ProtocolTracing.Tests.Tracing;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// A one-page ring buffer under load loses events in the kernel: the loss is counted, the streams it
/// tore are marked, and once the load stops the next request is traced whole and correct.
/// </summary>
[Collection("Kernel")]
public sealed class TinyRingBufferKernelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [KernelFact]
    public async Task OnePageRingBuffer_UnderLoad_CountsLoss_AndTracesLaterRequestsCorrectly()
    {
        await using var nginx = await NginxServer.StartAsync();
        var options = new ProtocolTracingOptions { RingBufferBytes = 4096, TraceTls = false };
        options.Protocols.Add("http");
        await using var session = await TracingSession.StartAsync(options);

        // wrk keeps 32 connections busy for 3 s: far more events than one page holds between reads.
        var load = await ProcessRun.RunAsync("wrk", ["-t", "2", "-c", "32", "-d", "3s", nginx.Url("/index.html")], Timeout);
        Assert.True(load.ExitCode == 0, $"wrk failed: {load.StandardError}");

        var statistics = session.Tracer.GetStatistics();
        Assert.True(statistics.KernelEventsLost > 0, $"a one-page ring buffer under wrk lost nothing: {statistics}");

        // The loss shows where it happened: as gaps in streams or records marked DataLost.
        var onServer = session.Snapshot().OfType<HttpRecord>().Where(r => r.Connection.LocalEndPoint?.Port == nginx.Port).ToList();
        Assert.True(statistics.GapBytes > 0 || onServer.Any(r => r.DataLost),
            $"events were lost but no stream has a gap and no record is marked DataLost: {statistics}");

        var path = $"/index.html?after-loss={Stopwatch.GetTimestamp()}";
        var (curlPid, body) = await CurlClient.GetAsync(nginx.Url(path), Timeout);
        Assert.Equal(NginxServer.IndexBody, body);

        var records = await session.WaitForAsync<HttpRecord>(r => r.Target == path && r.Pid == curlPid, 1, "curl's request after the load");
        var record = records[0];
        Assert.False(record.DataLost);
        Assert.Equal("GET", record.Method);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal(NginxServer.IndexBody, System.Text.Encoding.ASCII.GetString(record.ResponseBody.Span));
        Assert.True(record.ResponseTime > record.RequestTime);
    }
}
