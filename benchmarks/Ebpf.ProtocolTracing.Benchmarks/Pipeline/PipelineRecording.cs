using System.Text;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Recording;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Benchmarks.Pipeline;

/// <summary>
/// Writes a kernel event recording of keep-alive traffic, deterministically, through the tracer's own
/// <see cref="KernelEventRecorder"/>: the same bytes the tracer writes with <c>--record</c>, so the
/// replay reads what a live capture would have produced. Nothing is checked in; every run regenerates it.
/// </summary>
/// <remarks>
/// Several client connections open, then take turns: each sends one request (one write event) and
/// reads its response (one read event), as a pool of keep-alive connections does. Every exchange makes
/// exactly one record, and the connections close at the end.
/// </remarks>
internal static class PipelineRecording
{
    /// <summary>Connections in the recording, served round robin.</summary>
    public const int Connections = 8;

    /// <summary>Wall-clock time of monotonic 0 written in the header.</summary>
    private static readonly DateTimeOffset MonotonicZero = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Writes a recording of <paramref name="exchanges"/> exchanges of <paramref name="scenario"/>.</summary>
    /// <returns>The recording's bytes.</returns>
    public static byte[] Create(PipelineScenario scenario, int exchanges)
    {
        using var output = new MemoryStream();
        using (var recorder = new KernelEventRecorder(output, new KernelClock(MonotonicZero), NullSink.Instance, ownsOutput: false))
        {
            var egress = new long[Connections];
            var ingress = new long[Connections];
            ulong now = 1_000_000_000;
            for (var c = 0; c < Connections; c++)
            {
                var open = OpenEvent(Id(c), now += 1_000, 40_000 + c, scenario.Port);
                recorder.OnOpen(in open);
                if (scenario.ClientPreamble.Length > 0)
                {
                    Data(recorder, scenario, c, StreamDirection.Egress, ref egress[c], now += 1_000, scenario.ClientPreamble);
                }

                if (scenario.ServerPreamble.Length > 0)
                {
                    Data(recorder, scenario, c, StreamDirection.Ingress, ref ingress[c], now += 1_000, scenario.ServerPreamble);
                }
            }

            for (var i = 0; i < exchanges; i++)
            {
                var c = i % Connections;
                Data(recorder, scenario, c, StreamDirection.Egress, ref egress[c], now += 20_000, scenario.Request(i));
                Data(recorder, scenario, c, StreamDirection.Ingress, ref ingress[c], now += 80_000, scenario.Response(i));
            }

            for (var c = 0; c < Connections; c++)
            {
                var close = new CloseEvent
                {
                    Header = Header(KernelEventKind.Close, Id(c), now += 1_000, 0),
                    BytesSent = (ulong)egress[c],
                    BytesReceived = (ulong)ingress[c],
                };
                recorder.OnClose(in close);
            }
        }

        return output.ToArray();
    }

    /// <summary>The wall clock the recording's header names (for a tracker fed without the file).</summary>
    public static KernelClock Clock => new(MonotonicZero);

    private static ConnectionId Id(int connection) => new(4242, 10 + connection, 1);

    private static void Data(KernelEventRecorder recorder, PipelineScenario scenario, int connection, StreamDirection direction, ref long position, ulong timestampNs, byte[] payload)
    {
        for (var offset = 0; offset < payload.Length; offset += KernelEventLayout.MaxChunk)
        {
            var length = Math.Min(KernelEventLayout.MaxChunk, payload.Length - offset);
            var e = new DataEvent
            {
                Header = Header(KernelEventKind.Data, Id(connection), timestampNs, (byte)scenario.KernelGuess),
                Position = (ulong)position,
                CapturedLength = (uint)length,
                OriginalLength = (uint)length,
                Direction = direction,
                Source = direction == StreamDirection.Egress ? KernelSource.Write : KernelSource.Read,
            };
            recorder.OnData(in e, payload.AsSpan(offset, length));
            position += length;
        }
    }

    private static KernelEventHeader Header(KernelEventKind kind, ConnectionId id, ulong timestampNs, byte protocol) => new()
    {
        Kind = kind,
        Protocol = protocol,
        Tid = (uint)id.Pid,
        TimestampNs = timestampNs,
        Conn = new KernelConnKey((uint)id.Pid, id.Fd, id.Generation),
    };

    private static unsafe OpenEvent OpenEvent(ConnectionId id, ulong timestampNs, int localPort, int remotePort)
    {
        var e = new OpenEvent
        {
            Header = Header(KernelEventKind.Open, id, timestampNs, 0),
            ProcessStartNs = 5_000_000,
            Family = 2,
            LocalPort = (ushort)localPort,
            RemotePort = (ushort)remotePort,
            Role = KernelRole.Client,
            Transport = 1,
        };
        e.LocalAddr[0] = 10;
        e.LocalAddr[3] = 7;
        e.RemoteAddr[0] = 10;
        e.RemoteAddr[3] = 9;
        var comm = Encoding.ASCII.GetBytes("api-client");
        for (var i = 0; i < comm.Length; i++)
        {
            e.Comm[i] = comm[i];
        }

        return e;
    }

    private sealed class NullSink : IKernelEventSink
    {
        public static readonly NullSink Instance = new();

        public void OnOpen(in OpenEvent e)
        {
        }

        public void OnClose(in CloseEvent e)
        {
        }

        public void OnData(in DataEvent e, ReadOnlySpan<byte> payload)
        {
        }

        public void OnLost(ulong count)
        {
        }
    }
}
