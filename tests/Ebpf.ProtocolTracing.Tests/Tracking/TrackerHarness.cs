using System.Text;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

/// <summary>Records which connections the tracker asked the kernel to stop sending.</summary>
internal sealed class FakeConnectionControl : IConnectionControl
{
    public List<ConnectionId> Disabled { get; } = [];

    public List<ConnectionId> DisabledEncrypted { get; } = [];

    public void Disable(ConnectionId id, bool encrypted) => (encrypted ? DisabledEncrypted : Disabled).Add(id);
}

/// <summary>A tracker with the test protocol, a fixed clock, and synthetic kernel events.</summary>
internal sealed class TrackerHarness
{
    public const int Pid = 4242;

    public static readonly DateTimeOffset MonotonicZero = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public TrackerHarness(Action<ProtocolTracingOptions>? configure = null, IReadOnlyDictionary<int, string>? ports = null, params IProtocolParser[] extraParsers)
    {
        Options = new ProtocolTracingOptions();
        configure?.Invoke(Options);
        var parsers = new List<IProtocolParser> { Protocol };
        parsers.AddRange(extraParsers);
        Registry = new ParserRegistry(parsers, ports);
        Tracker = new ConnectionTracker(Registry, Options, Records.Add, new KernelClock(MonotonicZero), Control);
    }

    public TestLineProtocol Protocol { get; } = new();

    public ProtocolTracingOptions Options { get; }

    public ParserRegistry Registry { get; }

    public FakeConnectionControl Control { get; } = new();

    public List<ProtocolRecord> Records { get; } = [];

    public ConnectionTracker Tracker { get; }

    public ConnectionTrackerStatistics Statistics => Tracker.Statistics;

    public IEnumerable<TestLineRecord> LineRecords => Records.OfType<TestLineRecord>();

    public static ConnectionId Id(int fd = 7, ulong generation = 1) => new(Pid, fd, generation);

    public static DateTimeOffset At(ulong monotonicNs) => MonotonicZero.AddTicks((long)(monotonicNs / 100));

    public static unsafe OpenEvent OpenEvent(ConnectionId id, ulong timestampNs, int localPort = 40000, int remotePort = 9000,
        KernelRole role = KernelRole.Client, string comm = "testproc")
    {
        var e = new OpenEvent
        {
            Header = Header(KernelEventKind.Open, id, timestampNs),
            ProcessStartNs = 12345,
            Family = 2,
            LocalPort = (ushort)localPort,
            RemotePort = (ushort)remotePort,
            Role = role,
            Transport = 1,
        };
        e.LocalAddr[0] = 127;
        e.LocalAddr[3] = 1;
        e.RemoteAddr[0] = 10;
        e.RemoteAddr[3] = 2;
        var name = Encoding.ASCII.GetBytes(comm);
        for (var i = 0; i < name.Length && i < 15; i++)
        {
            e.Comm[i] = name[i];
        }

        return e;
    }

    public void Open(ConnectionId id, ulong timestampNs, int localPort = 40000, int remotePort = 9000, KernelRole role = KernelRole.Client)
    {
        var e = OpenEvent(id, timestampNs, localPort, remotePort, role);
        Tracker.OnOpen(in e);
    }

    public void Data(ConnectionId id, StreamDirection direction, long position, ulong timestampNs, string text, long? originalLength = null, byte protocol = 0)
        => Data(id, direction, position, timestampNs, Encoding.ASCII.GetBytes(text), originalLength, protocol);

    public void Data(ConnectionId id, StreamDirection direction, long position, ulong timestampNs, byte[] payload, long? originalLength = null, byte protocol = 0)
    {
        var header = Header(KernelEventKind.Data, id, timestampNs);
        header.Protocol = protocol;
        var e = new DataEvent
        {
            Header = header,
            Position = (ulong)position,
            CapturedLength = (uint)payload.Length,
            OriginalLength = (uint)(originalLength ?? payload.Length),
            Direction = direction,
            Source = direction == StreamDirection.Egress ? KernelSource.Write : KernelSource.Read,
        };
        Tracker.OnData(in e, payload);
    }

    public void Close(ConnectionId id, ulong timestampNs, long bytesSent, long bytesReceived, bool dataSent = true)
    {
        var header = Header(KernelEventKind.Close, id, timestampNs);
        header.Flags = dataSent ? KernelEventFlags.DataSent : KernelEventFlags.None;
        var e = new CloseEvent
        {
            Header = header,
            BytesSent = (ulong)bytesSent,
            BytesReceived = (ulong)bytesReceived,
        };
        Tracker.OnClose(in e);
    }

    private static KernelEventHeader Header(KernelEventKind kind, ConnectionId id, ulong timestampNs) => new()
    {
        Kind = kind,
        Tid = (uint)id.Pid,
        TimestampNs = timestampNs,
        Conn = new KernelConnKey((uint)id.Pid, id.Fd, id.Generation),
    };
}
