using System.Net;
using System.Net.Sockets;
using System.Text;
using Ebpf.ProtocolTracing.Kernel;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

[Collection("Kernel")]
public sealed class KernelProbeControlTests
{
    private static KernelProbeSettings OwnProcessSettings() => OwnProcessProbeSettings.Default;

    [KernelFact]
    public void Libbpf_log_lines_reach_the_logger_formatted()
    {
        var logger = new CollectingLogger();

        using (KernelProbes.Load(OwnProcessSettings(), logger))
        {
        }

        // libbpf prints printf-style lines ("libbpf: map '%s': ..."); seeing a map name proves the va_list was formatted.
        Assert.Contains(logger.Lines, l => l.Message.StartsWith("libbpf: ", StringComparison.Ordinal) && l.Message.Contains("'events'", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Lines, l => l.Message.Contains("%s", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Information && l.Message.StartsWith("Attached ", StringComparison.Ordinal));
    }

    [KernelFact]
    public async Task Disabled_connection_sends_no_more_data()
    {
        var sink = new RecordingKernelEventSink();
        using var probes = KernelProbes.Load(OwnProcessSettings(), new CollectingLogger());
        using var reader = probes.CreateReader(sink);
        using var polling = new PollingThread(reader);

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(new IPEndPoint(IPAddress.Loopback, port));
        var server = listener.Accept();

        var first = Encoding.ASCII.GetBytes("before disable\n");
        client.Send(first);
        ReceiveExactly(server, first.Length);
        var (clientOpen, _) = await KernelProbeSessionTests.WaitForConnectionAsync(sink, port, closedBoth: false);
        var clientId = clientOpen.Header.Conn.ToConnectionId();
        await WaitUntilAsync(() => sink.Data.Any(d => d.Event.Header.Conn.ToConnectionId() == clientId && d.Event.Direction == StreamDirection.Egress));

        probes.DisableConnection(clientId);
        var second = Encoding.ASCII.GetBytes("after disable\n");
        client.Send(second);
        ReceiveExactly(server, second.Length);
        client.Dispose();
        server.Dispose();
        await WaitUntilAsync(() => sink.Closes.Any(c => c.Header.Conn.ToConnectionId() == clientId) || sink.Data.Count(d => d.Event.Header.Conn.ToConnectionId() == clientId) > 1);

        var clientEgress = sink.Data.Where(d => d.Event.Header.Conn.ToConnectionId() == clientId && d.Event.Direction == StreamDirection.Egress).ToList();
        var (data, payload) = Assert.Single(clientEgress);
        Assert.Equal(0ul, data.Position);
        Assert.Equal(first, payload);
    }

    [KernelFact]
    public async Task Exception_thrown_by_the_sink_comes_out_of_Poll()
    {
        var sink = new ThrowingSink();
        using var probes = KernelProbes.Load(OwnProcessSettings(), new CollectingLogger());
        using var reader = probes.CreateReader(sink);

        LoopbackExchange.Run([1, 2, 3], [4, 5, 6]);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var thrown = await Task.Run(() =>
        {
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    reader.Poll(50);
                }
                catch (InvalidOperationException e)
                {
                    return e;
                }
            }

            return null;
        });

        Assert.NotNull(thrown);
        Assert.Equal(ThrowingSink.Message, thrown.Message);
        // The failure stopped the dispatch at the first event; the rest are still there for the next poll.
        Assert.Equal(0ul, reader.EventsRead);
        Assert.Throws<InvalidOperationException>(() => reader.Poll(0));
    }

    [KernelFact]
    public void Counters_and_disable_after_dispose_do_nothing()
    {
        var probes = KernelProbes.Load(OwnProcessSettings(), new CollectingLogger());
        probes.Dispose();

        Assert.Equal(default, probes.ReadCounters());
        probes.DisableConnection(new ConnectionId(Environment.ProcessId, 3, 1));
        Assert.Throws<ObjectDisposedException>(() => probes.CreateReader(new RecordingKernelEventSink()));
    }

    private static void ReceiveExactly(Socket socket, int length)
    {
        var buffer = new byte[length];
        for (var received = 0; received < length;)
        {
            var n = socket.Receive(buffer, received, length - received, SocketFlags.None);
            Assert.NotEqual(0, n);
            received += n;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(20);
        }
    }

    private sealed class ThrowingSink : IKernelEventSink
    {
        public const string Message = "sink failed on purpose";

        public void OnOpen(in OpenEvent e) => throw new InvalidOperationException(Message);

        public void OnClose(in CloseEvent e) => throw new InvalidOperationException(Message);

        public void OnData(in DataEvent e, ReadOnlySpan<byte> payload) => throw new InvalidOperationException(Message);

        public void OnLost(ulong count) => throw new InvalidOperationException(Message);
    }
}
