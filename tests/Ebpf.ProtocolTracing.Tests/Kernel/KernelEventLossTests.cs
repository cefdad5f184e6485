using System.Net;
using System.Net.Sockets;
using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

// Buffers far too small for the traffic: what does not fit must be counted, never silently dropped.
[Collection("Kernel")]
public sealed class KernelEventLossTests
{
    private static KernelProbeSettings TinyBuffers(EventBufferKind buffer) => OwnProcessProbeSettings.Default with
    {
        Buffer = buffer,
        RingBufferBytes = Environment.SystemPageSize,
        PerfBufferPagesPerCpu = 1,
        MaxChunks = 1,
    };

    [KernelFact]
    public void Perf_buffer_reports_lost_events_through_the_reader_and_the_sink()
    {
        var sink = new RecordingKernelEventSink();
        using var probes = KernelProbes.Load(TinyBuffers(EventBufferKind.PerfBuffer), new CollectingLogger());
        using var reader = probes.CreateReader(sink);

        SendWithoutPolling(writes: 64, writeSize: 4096);
        while (reader.Poll(100) > 0)
        {
        }

        Assert.True(reader.LostEvents > 0, $"lost {reader.LostEvents}, read {reader.EventsRead}");
        Assert.Equal(reader.LostEvents, sink.Lost);
    }

    [KernelFact]
    public void Ring_buffer_losses_show_in_the_kernel_counters()
    {
        var sink = new RecordingKernelEventSink();
        using var probes = KernelProbes.Load(TinyBuffers(EventBufferKind.RingBuffer), new CollectingLogger());
        using var reader = probes.CreateReader(sink);

        SendWithoutPolling(writes: 64, writeSize: 4096);
        while (reader.Poll(100) > 0)
        {
        }

        var counters = probes.ReadCounters();
        Assert.True(counters.EventsLost > 0, $"kernel counters: {counters}");
        Assert.True(counters.BytesLost > 0, $"kernel counters: {counters}");
        Assert.Equal(0ul, reader.LostEvents);
        Assert.True(counters.EventsSent >= reader.EventsRead, $"kernel counters: {counters}, read {reader.EventsRead}");
        Assert.Equal(0ul, reader.MalformedEvents);
    }

    private static void SendWithoutPolling(int writes, int writeSize)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();
        var chunk = new byte[writeSize];
        var sink = new byte[writeSize];
        for (var i = 0; i < writes; i++)
        {
            Array.Fill(chunk, (byte)('a' + (i % 26)));
            client.Send(chunk);
            for (var received = 0; received < writeSize;)
            {
                received += server.Receive(sink, received, writeSize - received, SocketFlags.None);
            }
        }
    }
}
