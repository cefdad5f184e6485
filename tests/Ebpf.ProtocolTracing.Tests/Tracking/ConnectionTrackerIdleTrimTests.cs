using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

/// <summary>
/// A connection quiet for a second has its parser trimmed once per quiet spell, oldest first; busy,
/// undecided and finished connections are left alone, and parsing goes on after a trim.
/// </summary>
public class ConnectionTrackerIdleTrimTests
{
    private const ulong Ms = 1_000_000;
    private const ulong T0 = 10_000 * Ms;

    [Fact]
    public void AQuietConnectionIsTrimmedOnce_ABusyOneNot()
    {
        var (h, protocol) = Create();
        var quiet = TrackerHarness.Id(fd: 1);
        var busy = TrackerHarness.Id(fd: 2);
        h.Open(quiet, T0);
        h.Data(quiet, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Open(busy, T0);
        h.Data(busy, StreamDirection.Egress, 0, T0 + (500 * Ms), "REQ b\n");

        h.Tracker.Tick(T0 + (999 * Ms));
        Assert.Equal([0, 0], protocol.Created.Select(p => p.TrimCalls));

        h.Tracker.Tick(T0 + (1_001 * Ms));
        Assert.Equal([1, 0], protocol.Created.Select(p => p.TrimCalls));

        h.Tracker.Tick(T0 + (1_400 * Ms));
        Assert.Equal([1, 0], protocol.Created.Select(p => p.TrimCalls));

        h.Tracker.Tick(T0 + (1_600 * Ms));
        h.Tracker.Tick(T0 + (5_000 * Ms));
        Assert.Equal([1, 1], protocol.Created.Select(p => p.TrimCalls));
    }

    [Fact]
    public void ATrimmedConnectionThatSpeaksAgain_ParsesOn_AndIsTrimmedAgainWhenQuiet()
    {
        var (h, protocol) = Create();
        var id = TrackerHarness.Id(fd: 1);
        var other = TrackerHarness.Id(fd: 2);
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Data(id, StreamDirection.Ingress, 0, T0 + (2 * Ms), "RES a\n");
        h.Open(other, T0 + (3 * Ms));
        h.Data(other, StreamDirection.Egress, 0, T0 + (3 * Ms), "REQ x\n");
        h.Tracker.Tick(T0 + (2_000 * Ms));
        Assert.Equal([1, 1], protocol.Created.Select(p => p.TrimCalls));

        h.Data(id, StreamDirection.Egress, 6, T0 + (3_000 * Ms), "REQ b\n");
        h.Data(id, StreamDirection.Ingress, 6, T0 + (3_001 * Ms), "RES b\n");
        h.Tracker.Tick(T0 + (3_500 * Ms));
        Assert.Equal([1, 1], protocol.Created.Select(p => p.TrimCalls));

        h.Tracker.Tick(T0 + (4_100 * Ms));
        Assert.Equal([2, 1], protocol.Created.Select(p => p.TrimCalls));
        Assert.Equal(["a", "b"], h.LineRecords.Select(r => r.Request));
        Assert.Equal(["a", "b"], h.LineRecords.Select(r => r.Response));
    }

    [Fact]
    public void FinishedConnections_AreNotTrimmed_AndTheOthersStillAre()
    {
        var (h, protocol) = Create();
        var first = TrackerHarness.Id(fd: 1);
        var second = TrackerHarness.Id(fd: 2);
        var third = TrackerHarness.Id(fd: 3);
        h.Open(first, T0);
        h.Data(first, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Open(second, T0 + (2 * Ms));
        h.Data(second, StreamDirection.Egress, 0, T0 + (2 * Ms), "REQ b\n");
        h.Tracker.Tick(T0 + (1_500 * Ms));
        Assert.Equal([1, 1], protocol.Created.Select(p => p.TrimCalls));

        // The newest trimmed connection closes: the ones before it stay trimmed, later ones are still found.
        h.Close(second, T0 + (1_600 * Ms), 0, 0);
        h.Open(third, T0 + (1_700 * Ms));
        h.Data(third, StreamDirection.Egress, 0, T0 + (1_700 * Ms), "REQ c\n");
        h.Tracker.Tick(T0 + (3_000 * Ms));
        Assert.Equal([1, 1, 1], protocol.Created.Select(p => p.TrimCalls));
        Assert.Equal(2, h.Tracker.ConnectionCount);
    }

    [Fact]
    public void UndecidedConnections_HaveNoParserToTrim()
    {
        var (h, protocol) = Create();
        var id = TrackerHarness.Id(fd: 1);
        h.Open(id, T0, remotePort: 1234);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "??");
        h.Tracker.Tick(T0 + (2_000 * Ms));

        Assert.Empty(protocol.Created);
        Assert.Equal(1, h.Tracker.ConnectionCount);
    }

    private static (TrackerHarness Harness, TrimCountingProtocol Protocol) Create()
    {
        var protocol = new TrimCountingProtocol();
        var harness = new TrackerHarness(ports: new Dictionary<int, string> { [9000] = protocol.Name }, extraParsers: protocol);
        return (harness, protocol);
    }

    /// <summary>The test line protocol, its connection parsers counting idle trims.</summary>
    private sealed class TrimCountingProtocol : IProtocolParser
    {
        private readonly TestLineProtocol _lines = new();

        public List<TrimCountingParser> Created { get; } = [];

        public string Name => "trimline";

        public WellKnownProtocol KernelProtocol => WellKnownProtocol.None;

        public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => 0;

        public IConnectionParser CreateConnectionParser(IParseContext context)
        {
            var parser = new TrimCountingParser(_lines.CreateConnectionParser(context));
            Created.Add(parser);
            return parser;
        }
    }

    private sealed class TrimCountingParser(IConnectionParser inner) : IConnectionParser, IIdleTrimmableConnectionParser
    {
        public int TrimCalls { get; private set; }

        public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
            => inner.Parse(direction, data, streamPosition, out consumed);

        public bool OnGap(StreamDirection direction, long length) => inner.OnGap(direction, length);

        public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
            => inner.TryFindFrameStart(direction, data, out frameStart);

        public void Complete() => inner.Complete();

        public void TrimIdle() => TrimCalls++;
    }
}
