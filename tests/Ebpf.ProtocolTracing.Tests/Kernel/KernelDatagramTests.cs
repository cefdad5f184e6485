using System.Net;
using System.Net.Sockets;
using System.Text;
using Ebpf.ProtocolTracing.Kernel;
using Xunit.Abstractions;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

[Collection("Kernel")]
public sealed class KernelDatagramTests(ITestOutputHelper output)
{
    private static KernelProbeSettings OwnProcessSettings(EventBufferKind buffer) =>
        OwnProcessProbeSettings.Default with { Buffer = buffer };

    [KernelTheory]
    [InlineData(EventBufferKind.RingBuffer)]
    [InlineData(EventBufferKind.PerfBuffer)]
    public async Task Udp_datagrams_arrive_whole_with_their_peers_on_unconnected_and_connected_sockets(EventBufferKind buffer)
    {
        var sink = new RecordingKernelEventSink();
        using var probes = KernelProbes.Load(OwnProcessSettings(buffer), new TestOutputLogger(output));
        using var reader = probes.CreateReader(sink);
        using var polling = new PollingThread(reader);

        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var serverEndPoint = (IPEndPoint)server.LocalEndPoint!;
        using var unconnected = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        unconnected.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var connected = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        connected.Connect(serverEndPoint);
        var unconnectedEndPoint = (IPEndPoint)unconnected.LocalEndPoint!;
        var connectedEndPoint = (IPEndPoint)connected.LocalEndPoint!;

        var first = Encoding.ASCII.GetBytes("first datagram, sent with sendto");
        var second = Encoding.ASCII.GetBytes("second datagram, from a connected socket");
        var reply = Encoding.ASCII.GetBytes("reply");
        var buffer1 = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);

        unconnected.SendTo(first, serverEndPoint);
        connected.Send(second);
        Assert.Equal(first.Length, server.ReceiveFrom(buffer1, ref from));
        Assert.Equal(unconnectedEndPoint, from);
        Assert.Equal(second.Length, server.ReceiveFrom(buffer1, ref from));
        Assert.Equal(connectedEndPoint, from);
        server.SendTo(reply, unconnectedEndPoint);
        server.SendTo(reply, connectedEndPoint);
        Assert.Equal(reply.Length, unconnected.ReceiveFrom(buffer1, ref from));
        Assert.Equal(reply.Length, connected.Receive(buffer1));

        var serverPort = serverEndPoint.Port;
        var serverEvents = await WaitForDatagramsAsync(sink, d => d.Event.Direction == StreamDirection.Egress && d.Event.PeerPort == connectedEndPoint.Port && d.Payload.AsSpan().SequenceEqual(reply), 4, serverPort, sink);

        var serverIn = serverEvents.Where(d => d.Event.Direction == StreamDirection.Ingress).OrderBy(d => d.Event.Sequence).ToList();
        Assert.Equal(2, serverIn.Count);
        Assert.Equal(first, serverIn[0].Payload);
        Assert.Equal(second, serverIn[1].Payload);
        Assert.Equal([0ul, 1ul], serverIn.Select(d => d.Event.Sequence));
        Assert.Equal(unconnectedEndPoint, Peer(serverIn[0].Event));
        Assert.Equal(connectedEndPoint, Peer(serverIn[1].Event));
        Assert.All(serverIn, d => Assert.Equal((uint)d.Payload.Length, d.Event.OriginalLength));

        var serverOut = serverEvents.Where(d => d.Event.Direction == StreamDirection.Egress).OrderBy(d => d.Event.Sequence).ToList();
        Assert.Equal([unconnectedEndPoint, connectedEndPoint], serverOut.Select(d => Peer(d.Event)));

        var serverOpen = Assert.Single(sink.Opens, o => o.Header.Conn.ToConnectionId() == serverEvents[0].Event.Header.Conn.ToConnectionId());
        Assert.Equal(2, serverOpen.Transport);
        Assert.Equal(serverPort, serverOpen.LocalPort);

        // A connected socket's datagrams without an address (send/recv) carry its connected peer.
        var connectedEvents = sink.Datagrams.Where(d => d.Event.Header.Conn.ToConnectionId() != serverEvents[0].Event.Header.Conn.ToConnectionId()
            && d.Event.PeerPort == serverPort).ToList();
        Assert.Contains(connectedEvents, d => d.Event.Direction == StreamDirection.Egress && d.Payload.AsSpan().SequenceEqual(second));
        Assert.Contains(connectedEvents, d => d.Event.Direction == StreamDirection.Ingress && d.Payload.AsSpan().SequenceEqual(reply));
        Assert.All(connectedEvents, d => Assert.Equal(serverEndPoint, Peer(d.Event)));

        // UDP never produces stream data events.
        Assert.DoesNotContain(sink.Data, d => d.Event.Header.Conn.ToConnectionId() == serverOpen.Header.Conn.ToConnectionId());
        Assert.Equal(0ul, reader.MalformedEvents);
    }

    private static unsafe IPEndPoint? Peer(DatagramEvent e)
    {
        var length = e.Family == 2 ? 4 : e.Family == 10 ? 16 : 0;
        return length == 0 ? null : new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(e.PeerAddr, length)), e.PeerPort);
    }

    private static async Task<List<(DatagramEvent Event, byte[] Payload)>> WaitForDatagramsAsync(
        RecordingKernelEventSink sink,
        Func<(DatagramEvent Event, byte[] Payload), bool> last,
        int count,
        int serverPort,
        RecordingKernelEventSink all)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var server = sink.Opens.FirstOrDefault(o => o.Transport == 2 && o.LocalPort == serverPort);
            if (server.Header.Kind == KernelEventKind.Open)
            {
                var id = server.Header.Conn.ToConnectionId();
                var events = sink.Datagrams.Where(d => d.Event.Header.Conn.ToConnectionId() == id).ToList();
                if (events.Count >= count && events.Any(last))
                {
                    return events;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"no datagrams of UDP port {serverPort} within 10 s: {all.Opens.Count} opens, {all.Datagrams.Count} datagrams");
            }

            await Task.Delay(20);
        }
    }
}
