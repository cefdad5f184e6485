using System.Text;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Recording;
using Ebpf.ProtocolTracing.Tests.Tracking;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Recording;

/// <summary>Builds recordings event by event through <see cref="KernelEventRecorder"/>, as the tracer writes them.</summary>
internal sealed class RecordingBuilder : IDisposable
{
    private readonly MemoryStream _stream = new();
    private readonly CountingSink _sink = new();
    private readonly KernelEventRecorder _recorder;

    public RecordingBuilder() =>
        _recorder = new KernelEventRecorder(_stream, new KernelClock(TrackerHarness.MonotonicZero), _sink, ownsOutput: false);

    /// <summary>Events that went through the recorder to its inner sink.</summary>
    public int ForwardedEvents => _sink.Events;

    public RecordingBuilder Open(ConnectionId id, ulong timestampNs, int localPort, int remotePort, KernelRole role)
    {
        var e = TrackerHarness.OpenEvent(id, timestampNs, localPort, remotePort, role, comm: "recorded");
        _recorder.OnOpen(in e);
        return this;
    }

    public RecordingBuilder Data(ConnectionId id, StreamDirection direction, long position, ulong timestampNs, string text)
    {
        var payload = Encoding.ASCII.GetBytes(text);
        var e = new DataEvent
        {
            Header = Header(KernelEventKind.Data, id, timestampNs),
            Position = (ulong)position,
            CapturedLength = (uint)payload.Length,
            OriginalLength = (uint)payload.Length,
            Direction = direction,
            Source = direction == StreamDirection.Egress ? KernelSource.Write : KernelSource.Read,
        };
        e.Header.Protocol = (byte)WellKnownProtocol.Http;
        _recorder.OnData(in e, payload);
        return this;
    }

    public RecordingBuilder Close(ConnectionId id, ulong timestampNs, long sent, long received)
    {
        var e = new CloseEvent { Header = Header(KernelEventKind.Close, id, timestampNs), BytesSent = (ulong)sent, BytesReceived = (ulong)received };
        _recorder.OnClose(in e);
        return this;
    }

    public RecordingBuilder Lost(ulong count)
    {
        _recorder.OnLost(count);
        return this;
    }

    public byte[] ToArray()
    {
        _recorder.Flush();
        return _stream.ToArray();
    }

    public void Dispose()
    {
        _recorder.Dispose();
        _stream.Dispose();
    }

    private static KernelEventHeader Header(KernelEventKind kind, ConnectionId id, ulong timestampNs) => new()
    {
        Kind = kind,
        Tid = (uint)id.Pid,
        TimestampNs = timestampNs,
        Conn = new KernelConnKey((uint)id.Pid, id.Fd, id.Generation),
    };

    private sealed class CountingSink : IKernelEventSink
    {
        public int Events { get; private set; }

        public void OnOpen(in OpenEvent e) => Events++;

        public void OnClose(in CloseEvent e) => Events++;

        public void OnData(in DataEvent e, ReadOnlySpan<byte> payload) => Events++;

        public void OnLost(ulong count) => Events++;
    }
}
