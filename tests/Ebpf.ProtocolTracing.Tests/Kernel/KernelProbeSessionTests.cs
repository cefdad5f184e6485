using Xunit.Abstractions;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

[Collection("Kernel")]
public sealed class KernelProbeSessionTests(ITestOutputHelper output)
{
    private static KernelProbeSettings OwnProcessSettings(EventBufferKind buffer, IReadOnlyCollection<int>? forcedPorts = null, bool captureAll = true) =>
        OwnProcessProbeSettings.Default with { Buffer = buffer, ForcedPorts = forcedPorts ?? [], CaptureAll = captureAll };

    [KernelFact]
    public async Task Load_attach_and_dispose_leave_no_kernel_fds_behind()
    {
        // The runtime opens its socket epoll fd on first use; do that before counting.
        await WarmUpSocketEngineAsync();
        var before = KernelFileDescriptors.Count();

        foreach (var buffer in new[] { EventBufferKind.RingBuffer, EventBufferKind.PerfBuffer })
        {
            using (var probes = KernelProbes.Load(OwnProcessSettings(buffer), new TestOutputLogger(output)))
            {
                Assert.True(probes.AttachedProbeCount > 0);
                var reader = probes.CreateReader(new RecordingKernelEventSink());
                reader.Poll(0);
                Assert.True(KernelFileDescriptors.Count() > before + probes.AttachedProbeCount, "loaded probes hold kernel fds");
            }

            Assert.Equal(before, KernelFileDescriptors.Count());
        }
    }

    [KernelFact]
    public void Reader_disposed_before_the_probes_frees_its_buffer_once()
    {
        var before = KernelFileDescriptors.Count();
        using (var probes = KernelProbes.Load(OwnProcessSettings(EventBufferKind.RingBuffer), new TestOutputLogger(output)))
        {
            var reader = probes.CreateReader(new RecordingKernelEventSink());
            reader.Dispose();
            Assert.Equal(0, reader.Poll(0));
        }

        Assert.Equal(before, KernelFileDescriptors.Count());
    }

    [KernelTheory]
    [InlineData(EventBufferKind.RingBuffer)]
    [InlineData(EventBufferKind.PerfBuffer)]
    public async Task Tcp_exchange_on_loopback_arrives_as_open_data_and_close_events(EventBufferKind buffer)
    {
        var sink = new RecordingKernelEventSink();
        using var probes = KernelProbes.Load(OwnProcessSettings(buffer), new TestOutputLogger(output));
        using var reader = probes.CreateReader(sink);
        using var polling = new PollingThread(reader);

        var request = Encoding.ASCII.GetBytes("hello from the client, over loopback\n");
        var response = Encoding.ASCII.GetBytes("and a longer reply from the server side of the connection\n");
        var port = LoopbackExchange.Run(request, response);

        var (client, server) = await WaitForConnectionAsync(sink, port, closedBoth: true);

        Assert.Equal(KernelRole.Client, client.Role);
        Assert.Equal(port, client.RemotePort);
        Assert.Equal(2, client.Family);
        Assert.Equal(1, client.Transport);
        Assert.Equal(Environment.ProcessId, client.Header.Conn.ToConnectionId().Pid);
        unsafe
        {
            Assert.Equal(new byte[] { 127, 0, 0, 1 }, new ReadOnlySpan<byte>(client.RemoteAddr, 4).ToArray());
        }

        Assert.Equal(KernelRole.Server, server.Role);
        Assert.Equal(port, server.LocalPort);
        Assert.Equal(client.LocalPort, server.RemotePort);

        var clientId = client.Header.Conn.ToConnectionId();
        var serverId = server.Header.Conn.ToConnectionId();
        Assert.Equal(request, Stream(sink, clientId, StreamDirection.Egress));
        Assert.Equal(response, Stream(sink, clientId, StreamDirection.Ingress));
        Assert.Equal(request, Stream(sink, serverId, StreamDirection.Ingress));
        Assert.Equal(response, Stream(sink, serverId, StreamDirection.Egress));

        var clientClose = Assert.Single(sink.Closes, c => c.Header.Conn.ToConnectionId() == clientId);
        Assert.Equal((ulong)request.Length, clientClose.BytesSent);
        Assert.Equal((ulong)response.Length, clientClose.BytesReceived);
        var serverClose = Assert.Single(sink.Closes, c => c.Header.Conn.ToConnectionId() == serverId);
        Assert.Equal((ulong)response.Length, serverClose.BytesSent);
        Assert.Equal((ulong)request.Length, serverClose.BytesReceived);
        // Data was sent up for both ends, so a missing tail would be a loss, not traffic left in the kernel.
        Assert.Equal(KernelEventFlags.DataSent, clientClose.Header.Flags);
        Assert.Equal(KernelEventFlags.DataSent, serverClose.Header.Flags);

        Assert.True(reader.EventsRead >= 6, $"read {reader.EventsRead} events");
        Assert.Equal(0ul, reader.MalformedEvents);
        var counters = probes.ReadCounters();
        Assert.True(counters.EventsSent >= reader.EventsRead, $"kernel sent {counters.EventsSent}, reader read {reader.EventsRead}");
        Assert.True(counters.ConnectionsOpened >= 2, $"kernel opened {counters.ConnectionsOpened} connections");
        Assert.Equal(0ul, counters.EventsLost);
    }

    private static byte[] Stream(RecordingKernelEventSink sink, ConnectionId id, StreamDirection direction)
    {
        var pieces = sink.Data
            .Where(d => d.Event.Header.Conn.ToConnectionId() == id && d.Event.Direction == direction)
            .OrderBy(d => d.Event.Position)
            .ToList();
        var bytes = new List<byte>();
        foreach (var (data, payload) in pieces)
        {
            Assert.Equal((ulong)bytes.Count, data.Position);
            Assert.Equal(data.CapturedLength, data.OriginalLength);
            bytes.AddRange(payload);
        }

        return [.. bytes];
    }

    internal static async Task<(OpenEvent Client, OpenEvent Server)> WaitForConnectionAsync(RecordingKernelEventSink sink, int port, bool closedBoth)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var client = sink.Opens.FirstOrDefault(o => o.Role == KernelRole.Client && o.RemotePort == port);
            var server = sink.Opens.FirstOrDefault(o => o.Role == KernelRole.Server && o.LocalPort == port);
            var found = client.Header.Kind == KernelEventKind.Open && server.Header.Kind == KernelEventKind.Open;
            if (found && (!closedBoth || (IsClosed(sink, client) && IsClosed(sink, server))))
            {
                return (client, server);
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"no {(found ? "close" : "open")} events for port {port} within 10 s: " +
                    $"{sink.Opens.Count} opens, {sink.Data.Count} data, {sink.Closes.Count} closes");
            }

            await Task.Delay(20);
        }
    }

    private static bool IsClosed(RecordingKernelEventSink sink, OpenEvent open)
        => sink.Closes.Any(c => c.Header.Conn.ToConnectionId() == open.Header.Conn.ToConnectionId());

    private static async Task WarmUpSocketEngineAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptTcpClientAsync();
    }
}
