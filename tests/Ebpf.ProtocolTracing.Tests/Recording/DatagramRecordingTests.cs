using System.Text;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Recording;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Recording;

// UDP datagrams pass through a recording to the tracker, and replay as the same datagrams.
public sealed class DatagramRecordingTests
{
    [Fact]
    public async Task Datagram_is_forwarded_while_recorded_and_replays_with_its_peer_and_payload()
    {
        var payload = Encoding.ASCII.GetBytes("one datagram");
        var datagram = new DatagramEvent
        {
            Header = new KernelEventHeader { Kind = KernelEventKind.Datagram, TimestampNs = 77, Conn = new KernelConnKey(4242, 5, 9) },
            Sequence = 3,
            CapturedLength = (uint)payload.Length,
            OriginalLength = (uint)payload.Length,
            Direction = StreamDirection.Ingress,
            Source = KernelSource.Recvfrom,
            Family = 2,
            PeerPort = 5353,
        };
        unsafe
        {
            datagram.PeerAddr[0] = 127;
            datagram.PeerAddr[3] = 1;
        }

        using var file = new MemoryStream();
        var live = new RecordingKernelEventSink();
        using (var recorder = new KernelEventRecorder(file, new KernelClock(DateTimeOffset.UnixEpoch), live, ownsOutput: false))
        {
            recorder.OnDatagram(in datagram, payload);
        }

        var (forwarded, forwardedPayload) = Assert.Single(live.Datagrams);
        Assert.Equal(3ul, forwarded.Sequence);
        Assert.Equal(payload, forwardedPayload);

        file.Position = 0;
        using var replayer = await KernelEventReplayer.OpenAsync(file, ownsInput: false, "memory", CancellationToken.None);
        var replayed = new RecordingKernelEventSink();
        while (await replayer.ReadNextAsync(CancellationToken.None))
        {
            replayer.Dispatch(replayed);
        }

        var (again, againPayload) = Assert.Single(replayed.Datagrams);
        Assert.Equal(payload, againPayload);
        Assert.Equal(5353, again.PeerPort);
        Assert.Equal(StreamDirection.Ingress, again.Direction);
        Assert.Equal(new ConnectionId(4242, 5, 9), again.Header.Conn.ToConnectionId());
        unsafe
        {
            Assert.Equal(127, again.PeerAddr[0]);
            Assert.Equal(1, again.PeerAddr[3]);
        }
    }
}
