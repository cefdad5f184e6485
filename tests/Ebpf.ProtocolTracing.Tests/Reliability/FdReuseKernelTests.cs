using System.Globalization;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// One client opening and closing connections back to back reuses the same file descriptor number each
/// time: every connection still yields its own record, none merged with the one before.
/// </summary>
[Collection("Kernel")]
public sealed class FdReuseKernelTests
{
    private const int Requests = 100;

    [KernelFact]
    public async Task BackToBackConnectionsOnOneFd_YieldOneCorrectRecordEach()
    {
        await using var nginx = await NginxServer.StartAsync();
        var options = new ProtocolTracingOptions { TraceTls = false };
        options.Protocols.Add("http");
        await using var session = await TracingSession.StartAsync(options);

        // One curl process, "Connection: close": a new socket per URL, closed before the next opens.
        var urls = Enumerable.Range(0, Requests).Select(i => nginx.Url($"/index.html?n={i.ToString(CultureInfo.InvariantCulture)}"));
        var curl = await ProcessRun.RunAsync("curl", ["--silent", "--show-error", "--fail", "--http1.1", "--noproxy", "*", "-H", "Connection: close", "-o", "/dev/null", .. urls], TimeSpan.FromSeconds(30));
        Assert.True(curl.ExitCode == 0, $"curl failed: {curl.StandardError}");

        var records = await session.WaitForAsync<HttpRecord>(r => r.Pid == curl.Pid, Requests, "one client record per connection");

        Assert.Equal(Requests, records.Count);
        Assert.Equal(Requests, records.Select(r => r.Target).Distinct().Count());
        Assert.Equal(Requests, records.Select(r => r.Connection.Id).Distinct().Count());
        Assert.All(records, r =>
        {
            Assert.False(r.DataLost);
            Assert.Equal(200, r.StatusCode);
            Assert.Equal(NginxServer.IndexBody.Length, r.ResponseBodySize);
        });
        Assert.True(records.Select(r => r.Connection.Id.Fd).Distinct().Count() < Requests / 2,
            "curl did not reuse descriptor numbers, so this run did not test reuse");
    }
}
