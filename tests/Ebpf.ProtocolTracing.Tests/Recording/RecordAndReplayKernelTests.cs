using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Ebpf.ProtocolTracing.Tests.Tracing;

namespace Ebpf.ProtocolTracing.Tests.Recording;

/// <summary>A live session on the real kernel, recorded, then replayed offline into the same records.</summary>
[Collection("Kernel")]
public sealed class RecordAndReplayKernelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("protocol-record-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [KernelFact]
    public async Task Curl_to_a_server_recorded_live_replays_into_the_same_records()
    {
        using var server = await LoopbackHttpServer.StartAsync(TestTimeouts.Process);
        var path = Path.Combine(_directory, "session.ptrace");
        var options = new ProtocolTracingOptions();
        options.ProcessIds.Add(server.Pid);
        options.Protocols.Add("http");

        var live = new List<HttpRecord>();
        await using (var tracer = new ProtocolTracer(options))
        {
            tracer.RecordTo(path);
            await tracer.StartAsync().WaitAsync(TestTimeouts.Attach);
            await tracer.Attached.WaitAsync(TestTimeouts.Attach);

            await CurlClient.GetAsync($"http://127.0.0.1:{server.Port}/hello.txt?first", TestTimeouts.Process);
            await CurlClient.GetAsync($"http://127.0.0.1:{server.Port}/hello.txt?second", TestTimeouts.Process);

            using var timeout = new CancellationTokenSource(TestTimeouts.Records);
            await foreach (var record in tracer.ReadRecordsAsync(timeout.Token))
            {
                if (record is HttpRecord http && http.LocalEndPoint?.Port == server.Port)
                    live.Add(http);
                if (live.Count == 2)
                    break;
            }

            Assert.Throws<InvalidOperationException>(() => tracer.RecordTo(path));
        }

        Assert.Equal(2, live.Count);
        Assert.True(new FileInfo(path).Length > 32, "the recording holds no events");

        var replayed = new List<HttpRecord>();
        await foreach (var record in ProtocolReplay.ReadRecordsAsync(path))
        {
            if (record is HttpRecord http && http.LocalEndPoint?.Port == server.Port)
                replayed.Add(http);
        }

        Assert.Equal(live.Count, replayed.Count);
        for (var i = 0; i < live.Count; i++)
        {
            var (expected, actual) = (live[i], replayed[i]);
            Assert.Equal(expected.Method, actual.Method);
            Assert.Equal(expected.Target, actual.Target);
            Assert.Equal(expected.StatusCode, actual.StatusCode);
            Assert.Equal(expected.ResponseBodySize, actual.ResponseBodySize);
            Assert.Equal(expected.Pid, actual.Pid);
            Assert.Equal(expected.ProcessName, actual.ProcessName);
            Assert.Equal(expected.Role, actual.Role);
            Assert.Equal(expected.LocalEndPoint, actual.LocalEndPoint);
            Assert.Equal(expected.RemoteEndPoint, actual.RemoteEndPoint);
            Assert.Equal(expected.RequestTime, actual.RequestTime);
            Assert.Equal(expected.ResponseTime, actual.ResponseTime);
        }

        Assert.Equal(["/hello.txt?first", "/hello.txt?second"], replayed.Select(r => r.Target));
    }
}
