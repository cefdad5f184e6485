using System.Net;
using System.Net.Sockets;
using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

// The ring buffer reader over a real kernel ring: wrap-around, sink failures, and dispose racing a poll.
[Collection("Kernel")]
public sealed class RingBufferReaderTests
{
    private static KernelProbeSettings RingSettings(int ringBufferBytes) =>
        OwnProcessProbeSettings.Default with { RingBufferBytes = ringBufferBytes, PerfBufferPagesPerCpu = 1 };

    [KernelFact]
    public void Many_rings_worth_of_bytes_through_the_smallest_ring_arrive_in_order_without_a_gap()
    {
        const int TotalBytes = 96 * 1024;
        var ringBytes = Environment.SystemPageSize;
        var sink = new StreamSink();
        using var probes = KernelProbes.Load(RingSettings(ringBytes), new CollectingLogger());
        using var reader = probes.CreateReader(sink);

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();
        var (clientId, serverId) = PollUntil(reader, () => sink.FindConnection(port));

        var expected = Pattern(TotalBytes);
        var received = new byte[1024];
        var sent = 0;
        // Sizes that are not multiples of 8, so records end at every padding and wrap at every offset.
        for (var size = 1; sent < TotalBytes; size = (size * 37 % 997) + 1)
        {
            var length = Math.Min(size, TotalBytes - sent);
            client.Send(expected, sent, length, SocketFlags.None);
            for (var got = 0; got < length;)
            {
                got += server.Receive(received, got, length - got, SocketFlags.None);
            }

            sent += length;
            // The reader keeps up: each write is read before the next, so the ring never fills.
            PollUntil(reader, () => sink.Length(clientId, StreamDirection.Egress) >= sent && sink.Length(serverId, StreamDirection.Ingress) >= sent);
        }

        Assert.Equal(expected, sink.Stream(clientId, StreamDirection.Egress));
        Assert.Equal(expected, sink.Stream(serverId, StreamDirection.Ingress));
        Assert.Empty(sink.Gaps);
        Assert.Equal(0ul, reader.MalformedEvents);
    }

    [KernelFact]
    public void A_record_the_sink_threw_on_is_consumed_and_the_next_poll_goes_on_after_it()
    {
        var sink = new FailingOnceSink();
        using var probes = KernelProbes.Load(RingSettings(1 << 20), new CollectingLogger());
        using var reader = probes.CreateReader(sink);

        var first = LoopbackExchange.Run([1, 2, 3], [4, 5, 6]);

        PollUntil(reader, () =>
        {
            try
            {
                reader.Poll(50);
                return null;
            }
            catch (InvalidOperationException e) when (e.Message == FailingOnceSink.Message)
            {
                return e;
            }
        });
        Assert.NotNull(sink.Failed);

        // The ring is read in order: once the second exchange's closes are in, so is all of the first.
        var second = LoopbackExchange.Run([7, 8, 9], [10, 11, 12]);
        PollUntil(reader, () => sink.Closes.Count(c => c.LocalPort == second || c.RemotePort == second) >= 2);
        Assert.Contains(sink.Closes, c => c.LocalPort == first);
        Assert.DoesNotContain(sink.Seen, header => SameEvent(header, sink.Failed.Value));
        Assert.Equal((ulong)sink.Seen.Count, reader.EventsRead);
    }

    [KernelFact]
    public void Dispose_from_another_thread_ends_a_poll_that_waits_forever_and_unmaps_the_ring()
    {
        using var probes = KernelProbes.Load(RingSettings(1 << 16), new CollectingLogger());
        var fdsBefore = KernelFileDescriptors.Count();
        var mappingsBefore = BpfMapMappings();

        for (var round = 0; round < 20; round++)
        {
            var reader = probes.CreateReader(new RecordingKernelEventSink());
            Assert.True(BpfMapMappings() > mappingsBefore, "the reader maps the ring");
            using var polling = new ManualResetEventSlim();
            var last = -1;
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    polling.Set();
                    while ((last = reader.Poll(-1)) > 0)
                    {
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                }
            })
            { IsBackground = true };
            thread.Start();
            polling.Wait();

            reader.Dispose();

            Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "Poll(-1) did not return after Dispose");
            Assert.Null(failure);
            Assert.Equal(0, last);
            Assert.Equal(0, reader.Poll(-1));
            reader.Dispose();
            Assert.Equal(mappingsBefore, BpfMapMappings());
            Assert.Equal(fdsBefore, KernelFileDescriptors.Count());
        }
    }

    private static bool SameEvent(KernelEventHeader a, KernelEventHeader b)
        => a.Kind == b.Kind && a.TimestampNs == b.TimestampNs && a.Tid == b.Tid && a.Conn.ToConnectionId() == b.Conn.ToConnectionId();

    /// <summary>The mappings of BPF maps in this process (the ring's consumer page and data).</summary>
    private static int BpfMapMappings()
        => File.ReadLines("/proc/self/maps").Count(line => line.Contains("bpf-map", StringComparison.Ordinal));

    private static T PollUntil<T>(IEventReader reader, Func<T?> found)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (found() is { } result)
            {
                return result;
            }

            Assert.True(DateTime.UtcNow < deadline, "the events did not arrive within 10 s");
            reader.Poll(50);
        }
    }

    private static void PollUntil(IEventReader reader, Func<bool> done)
        => PollUntil(reader, () => done() ? string.Empty : null);

    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 131) + (i >> 8));
        }

        return bytes;
    }

    /// <summary>Rebuilds every stream by position and notes any event that does not start where the stream ends.</summary>
    private sealed class StreamSink : IKernelEventSink
    {
        private readonly Dictionary<(ConnectionId, StreamDirection), List<byte>> streams = [];
        private readonly List<OpenEvent> opens = [];

        public List<string> Gaps { get; } = [];

        public Tuple<ConnectionId, ConnectionId>? FindConnection(int port)
        {
            var client = opens.Find(o => o.Role == KernelRole.Client && o.RemotePort == port);
            var server = opens.Find(o => o.Role == KernelRole.Server && o.LocalPort == port);
            return client.Header.Kind == KernelEventKind.Open && server.Header.Kind == KernelEventKind.Open
                ? Tuple.Create(client.Header.Conn.ToConnectionId(), server.Header.Conn.ToConnectionId())
                : null;
        }

        public int Length(ConnectionId id, StreamDirection direction)
            => streams.TryGetValue((id, direction), out var bytes) ? bytes.Count : 0;

        public byte[] Stream(ConnectionId id, StreamDirection direction)
            => streams.TryGetValue((id, direction), out var bytes) ? [.. bytes] : [];

        public void OnOpen(in OpenEvent e) => opens.Add(e);

        public void OnClose(in CloseEvent e)
        {
        }

        public void OnData(in DataEvent e, ReadOnlySpan<byte> payload)
        {
            var key = (e.Header.Conn.ToConnectionId(), e.Direction);
            if (!streams.TryGetValue(key, out var bytes))
            {
                streams[key] = bytes = [];
            }

            if (e.Position != (ulong)bytes.Count || e.CapturedLength != e.OriginalLength)
            {
                Gaps.Add($"{key}: event at {e.Position} with {e.CapturedLength} of {e.OriginalLength} bytes, stream at {bytes.Count}");
            }

            bytes.AddRange(payload);
        }

        public void OnLost(ulong count)
        {
        }
    }

    /// <summary>Throws on the first event it is handed and keeps the headers of all the others.</summary>
    private sealed class FailingOnceSink : IKernelEventSink
    {
        public const string Message = "sink failed once on purpose";

        public KernelEventHeader? Failed { get; private set; }

        public List<KernelEventHeader> Seen { get; } = [];

        public List<(int LocalPort, int RemotePort)> Closes { get; } = [];

        private readonly Dictionary<ConnectionId, (int, int)> ports = [];

        public void OnOpen(in OpenEvent e)
        {
            Take(e.Header);
            ports[e.Header.Conn.ToConnectionId()] = (e.LocalPort, e.RemotePort);
        }

        public void OnClose(in CloseEvent e)
        {
            Take(e.Header);
            if (ports.TryGetValue(e.Header.Conn.ToConnectionId(), out var endpoints))
            {
                Closes.Add(endpoints);
            }
        }

        public void OnData(in DataEvent e, ReadOnlySpan<byte> payload) => Take(e.Header);

        public void OnDatagram(in DatagramEvent e, ReadOnlySpan<byte> payload) => Take(e.Header);

        public void OnProcessExit(in ProcessExitEvent e) => Take(e.Header);

        public void OnLost(ulong count)
        {
        }

        private void Take(in KernelEventHeader header)
        {
            if (Failed is null)
            {
                Failed = header;
                throw new InvalidOperationException(Message);
            }

            Seen.Add(header);
        }
    }
}
