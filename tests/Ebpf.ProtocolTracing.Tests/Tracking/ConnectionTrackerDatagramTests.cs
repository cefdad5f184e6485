using System.Net;
using System.Text;
using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

// UDP through the tracker: each datagram parsed whole, on its own, with its own peer.
public sealed class ConnectionTrackerDatagramTests
{
    private static readonly IPEndPoint ClientA = new(IPAddress.Parse("10.0.0.1"), 41001);
    private static readonly IPEndPoint ClientB = new(IPAddress.Parse("10.0.0.2"), 41002);

    private static TrackerHarness Harness() => new(extraParsers: new DnsParser());

    private static unsafe OpenEvent UnconnectedOpen(ConnectionId id)
    {
        var e = TrackerHarness.OpenEvent(id, 1, localPort: 53, remotePort: 0, role: KernelRole.Unknown, comm: "dnsd");
        e.Transport = 2;
        for (var i = 0; i < 16; i++)
        {
            e.RemoteAddr[i] = 0;
        }

        return e;
    }

    private static unsafe void Datagram(TrackerHarness harness, ConnectionId id, StreamDirection direction, ulong sequence, ulong timestampNs, IPEndPoint peer, byte[] payload)
    {
        var e = new DatagramEvent
        {
            Header = new KernelEventHeader
            {
                Kind = KernelEventKind.Datagram,
                Protocol = (byte)Parsing.WellKnownProtocol.Dns,
                TimestampNs = timestampNs,
                Conn = new KernelConnKey((uint)id.Pid, id.Fd, id.Generation),
            },
            Sequence = sequence,
            CapturedLength = (uint)payload.Length,
            OriginalLength = (uint)payload.Length,
            Direction = direction,
            Source = direction == StreamDirection.Egress ? KernelSource.Sendmsg : KernelSource.Recvmsg,
            Family = 2,
            PeerPort = (ushort)peer.Port,
        };
        var address = peer.Address.GetAddressBytes();
        for (var i = 0; i < address.Length; i++)
        {
            e.PeerAddr[i] = address[i];
        }

        harness.Tracker.OnDatagram(in e, payload);
    }

    private static byte[] Message(ushort id, string name, bool response)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, response ? (byte)0x81 : (byte)0x01, response ? (byte)0x80 : (byte)0, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, 0, 1, 0, 1]);
        return [.. bytes];
    }

    [Fact]
    public void An_unconnected_socket_yields_one_record_per_peer_named_by_the_datagram()
    {
        var harness = Harness();
        var id = TrackerHarness.Id(fd: 11);
        var open = UnconnectedOpen(id);
        harness.Tracker.OnOpen(in open);

        // Two queries back to back: never merged, each parsed on its own.
        Datagram(harness, id, StreamDirection.Ingress, 0, 1_000, ClientA, Message(1, "a.example", response: false));
        Datagram(harness, id, StreamDirection.Ingress, 1, 2_000, ClientB, Message(1, "b.example", response: false));
        Datagram(harness, id, StreamDirection.Egress, 0, 5_000, ClientB, Message(1, "b.example", response: true));
        Datagram(harness, id, StreamDirection.Egress, 1, 9_000, ClientA, Message(1, "a.example", response: true));

        var records = harness.Records.OfType<DnsRecord>().ToList();
        Assert.Equal(["b.example", "a.example"], records.Select(r => r.QueryName));
        Assert.Equal([ClientB, ClientA], records.Select(r => r.RemoteEndPoint));
        Assert.All(records, r => Assert.Equal(TransportProtocol.Udp, r.Connection.Transport));
        Assert.All(records, r => Assert.Equal(53, r.LocalEndPoint?.Port));
        Assert.All(records, r => Assert.Equal(ConnectionRole.Server, r.Role));
        Assert.Equal([TimeSpan.FromTicks(30), TimeSpan.FromTicks(80)], records.Select(r => r.Latency!.Value));
        Assert.Equal(0ul, harness.Statistics.GapBytes);
    }

    [Fact]
    public void Datagrams_before_the_open_event_and_a_close_complete_without_waiting()
    {
        var harness = Harness();
        var id = TrackerHarness.Id(fd: 12);
        Datagram(harness, id, StreamDirection.Egress, 0, 1_000, ClientA, Message(7, "lost.example", response: false));
        Assert.Empty(harness.Records);

        // The close counts datagrams, not bytes: nothing is waited for, the unanswered query is emitted.
        harness.Close(id, 2_000, bytesSent: 1, bytesReceived: 0);
        var record = Assert.Single(harness.Records.OfType<DnsRecord>());
        Assert.Equal("lost.example", record.QueryName);
        Assert.Null(record.ResponseCode);
        Assert.Equal(ClientA, record.RemoteEndPoint);
        Assert.Equal(ConnectionRole.Client, record.Role);
        Assert.Equal(0, harness.Tracker.ConnectionCount);
    }

    [Fact]
    public void A_socket_whose_datagrams_are_no_protocol_is_given_up_after_a_few()
    {
        var harness = Harness();
        var id = TrackerHarness.Id(fd: 13);
        for (ulong i = 0; i < 10; i++)
        {
            Datagram(harness, id, StreamDirection.Egress, i, 1_000 + i, ClientA, Encoding.ASCII.GetBytes("\u0001\u0002 not a protocol anyone knows"));
        }

        Assert.Empty(harness.Records);
        Assert.Contains(id, harness.Control.Disabled);
    }
}
