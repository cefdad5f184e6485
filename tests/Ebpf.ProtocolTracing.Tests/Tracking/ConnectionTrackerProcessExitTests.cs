using System.Net;
using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

// A process exit closes its connections (streams and datagram sockets) as close events would.
public sealed class ConnectionTrackerProcessExitTests
{
    private const ulong Ms = 1_000_000;
    private const ulong T0 = 10_000 * Ms;
    private const ulong StartNs = 12345; // TrackerHarness.OpenEvent's process start
    private const int OtherPid = TrackerHarness.Pid + 1;

    private static ProcessExitEvent Exit(int pid, ulong timestampNs, ulong startNs = StartNs) => new()
    {
        Header = new KernelEventHeader
        {
            Kind = KernelEventKind.ProcessExit,
            Tid = (uint)pid,
            TimestampNs = timestampNs,
            Conn = new KernelConnKey((uint)pid, -1, 0),
        },
        ProcessStartNs = startNs,
    };

    private static unsafe void Query(TrackerHarness harness, ConnectionId id, ulong timestampNs, string name)
    {
        var payload = new List<byte> { 0, 7, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            payload.Add((byte)label.Length);
            payload.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        payload.AddRange([0, 0, 1, 0, 1]);
        var e = new DatagramEvent
        {
            Header = new KernelEventHeader
            {
                Kind = KernelEventKind.Datagram,
                Protocol = (byte)Parsing.WellKnownProtocol.Dns,
                TimestampNs = timestampNs,
                Conn = new KernelConnKey((uint)id.Pid, id.Fd, id.Generation),
            },
            CapturedLength = (uint)payload.Count,
            OriginalLength = (uint)payload.Count,
            Direction = StreamDirection.Egress,
            Source = KernelSource.Sendto,
            Family = 2,
            PeerPort = 53,
        };
        e.PeerAddr[0] = 10;
        e.PeerAddr[3] = 53;
        harness.Tracker.OnDatagram(in e, payload.ToArray());
    }

    [Fact]
    public void An_exit_closes_every_connection_of_the_process_and_reports_unanswered_requests()
    {
        var harness = new TrackerHarness(o => o.IdleTimeout = TimeSpan.FromMinutes(5), extraParsers: new DnsParser());
        var finished = new List<ConnectionSnapshot>();
        harness.Tracker.ConnectionFinished = finished.Add;
        var first = TrackerHarness.Id(fd: 1);
        var second = TrackerHarness.Id(fd: 2);
        var dns = TrackerHarness.Id(fd: 3);
        var other = new ConnectionId(OtherPid, 1, 1);
        harness.Open(first, T0);
        harness.Data(first, StreamDirection.Egress, 0, T0 + Ms, "REQ first\n");
        harness.Open(second, T0);
        harness.Data(second, StreamDirection.Egress, 0, T0 + Ms, "REQ second\n");
        Query(harness, dns, T0 + Ms, "gone.example");
        harness.Open(other, T0);
        harness.Data(other, StreamDirection.Egress, 0, T0 + Ms, "REQ other\n");

        var exit = Exit(TrackerHarness.Pid, T0 + (2 * Ms));
        harness.Tracker.OnProcessExit(in exit);

        Assert.Equal(["first", "second"], harness.LineRecords.Select(r => r.Request).Order());
        Assert.All(harness.LineRecords, r => Assert.Null(r.Response));
        var query = Assert.Single(harness.Records.OfType<DnsRecord>());
        Assert.Equal("gone.example", query.QueryName);
        Assert.Null(query.ResponseCode);
        Assert.Equal([first, second, dns], finished.Select(s => s.Connection.Id).OrderBy(id => id.Fd));
        Assert.Equal(1, harness.Tracker.ConnectionCount);
        Assert.Equal(3UL, harness.Statistics.ConnectionsClosed);
        Assert.Equal(0UL, harness.Statistics.ConnectionsExpired);

        // The other process is untouched, and the exited one's late events start nothing new.
        Assert.Contains(harness.Tracker.SnapshotConnections(), s => s.Connection.Id == other);
        harness.Data(first, StreamDirection.Ingress, 0, T0 + (3 * Ms), "RES first\n");
        Assert.Equal(1, harness.Tracker.ConnectionCount);
    }

    [Fact]
    public void A_newer_process_with_the_reused_pid_keeps_its_connections()
    {
        var harness = new TrackerHarness();
        var reused = TrackerHarness.Id(fd: 4);
        harness.Open(reused, T0);
        harness.Data(reused, StreamDirection.Egress, 0, T0 + Ms, "REQ newer\n");

        var exit = Exit(TrackerHarness.Pid, T0 + (2 * Ms), startNs: StartNs - 1);
        harness.Tracker.OnProcessExit(in exit);

        Assert.Equal(1, harness.Tracker.ConnectionCount);
        Assert.Empty(harness.Records);
    }

    [Fact]
    public void An_exit_of_a_process_with_many_connections_closes_only_its_own()
    {
        var harness = new TrackerHarness(o => o.MaxConnections = 20_000);
        for (var fd = 0; fd < 10_000; fd++)
        {
            harness.Open(new ConnectionId(OtherPid, fd, 1), T0);
        }

        for (var fd = 0; fd < 100; fd++)
        {
            harness.Open(TrackerHarness.Id(fd: fd), T0);
        }

        // Connections that closed normally leave the process's list: the exit finds only the rest.
        for (var fd = 0; fd < 50; fd++)
        {
            harness.Close(TrackerHarness.Id(fd: fd), T0 + Ms, 0, 0);
        }

        var exit = Exit(TrackerHarness.Pid, T0 + (2 * Ms));
        harness.Tracker.OnProcessExit(in exit);

        Assert.Equal(10_000, harness.Tracker.ConnectionCount);
        Assert.Equal(100UL, harness.Statistics.ConnectionsClosed);
        Assert.DoesNotContain(harness.Tracker.SnapshotConnections(), s => s.Connection.Id.Pid == TrackerHarness.Pid);
    }
}
