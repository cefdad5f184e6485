using System.Text;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

public class ConnectionTrackerLifecycleTests
{
    private const ulong Ms = 1_000_000;
    private const ulong T0 = 10_000 * Ms;

    [Fact]
    public void IdleConnectionsAreCompletedAndForgotten()
    {
        var h = new TrackerHarness(o => o.IdleTimeout = TimeSpan.FromSeconds(10));
        var idle = TrackerHarness.Id(fd: 1);
        var busy = TrackerHarness.Id(fd: 2);
        h.Open(idle, T0);
        h.Data(idle, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Open(busy, T0);
        h.Data(busy, StreamDirection.Egress, 0, T0 + (9_000 * Ms), "REQ b\n");

        h.Tracker.Tick(T0 + Ms + (9_999 * Ms));
        Assert.Equal(2, h.Tracker.ConnectionCount);
        Assert.Empty(h.Records);

        h.Tracker.Tick(T0 + Ms + (10_001 * Ms));
        Assert.Equal(1, h.Tracker.ConnectionCount);
        var record = Assert.Single(h.LineRecords);
        Assert.Equal("a", record.Request);
        Assert.Equal(1UL, h.Statistics.ConnectionsExpired);
        Assert.Equal(1, h.Protocol.Created[0].CompleteCalls);
        Assert.Equal(0, h.Protocol.Created[1].CompleteCalls);
    }

    [Fact]
    public void OverTheConnectionLimitTheLeastRecentlyActiveIsEvicted()
    {
        var h = new TrackerHarness(o => o.MaxConnections = 2);
        var first = TrackerHarness.Id(fd: 1);
        var second = TrackerHarness.Id(fd: 2);
        var third = TrackerHarness.Id(fd: 3);
        h.Open(first, T0);
        h.Data(first, StreamDirection.Egress, 0, T0 + Ms, "REQ first\n");
        h.Open(second, T0 + (2 * Ms));
        h.Data(second, StreamDirection.Egress, 0, T0 + (3 * Ms), "REQ second\n");

        // The first becomes the most recently active again, so the second goes.
        h.Data(first, StreamDirection.Egress, 10, T0 + (4 * Ms), "REQ again\n");
        h.Open(third, T0 + (5 * Ms));

        Assert.Equal(2, h.Tracker.ConnectionCount);
        Assert.Equal(["second"], h.LineRecords.Select(r => r.Request));
        Assert.Equal(1UL, h.Statistics.ConnectionsEvicted);
        Assert.Equal(2, h.Statistics.ConnectionsTracked);
        Assert.DoesNotContain(h.Tracker.SnapshotConnections(), s => s.Connection.Id == second);
    }

    [Fact]
    public void APerConnectionCapHoldsEvenWhenTheParserNeverConsumes()
    {
        const int cap = 1000;
        var h = new TrackerHarness(o => o.MaxBufferedBytesPerConnection = cap);
        h.Protocol.NeverConsume = true;
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        var chunk = "REQ " + new string('x', 95) + "\n";
        long position = 0;
        for (var i = 0; i < 100; i++)
        {
            h.Data(id, StreamDirection.Egress, position, T0 + ((ulong)i * Ms), chunk);
            position += chunk.Length;
            Assert.InRange(h.Tracker.BufferedBytes, 0, cap);
        }

        Assert.True(h.Statistics.BytesDroppedOverMemoryCap >= 100 * 100 - cap, $"dropped {h.Statistics.BytesDroppedOverMemoryCap}");
        Assert.NotEmpty(h.Protocol.Created.Single().Gaps);
    }

    [Fact]
    public void HeldOutOfOrderDataIsCappedToo()
    {
        const int cap = 1000;
        var h = new TrackerHarness(o => o.MaxBufferedBytesPerConnection = cap);
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0, "REQ start\n");

        // Every event leaves a hole before it, so all of them would wait for the reorder window.
        var chunk = "REQ " + new string('y', 95) + "\n";
        long position = 10;
        for (var i = 0; i < 50; i++)
        {
            position += 7;
            h.Data(id, StreamDirection.Egress, position, T0 + Ms, chunk);
            position += chunk.Length;
            Assert.InRange(h.Tracker.BufferedBytes, 0, cap + chunk.Length);
        }

        Assert.True(h.Statistics.GapBytes >= 7 * 40, $"gap bytes {h.Statistics.GapBytes}");
    }

    [Fact]
    public void TheGlobalCapShedsTheLargestBuffersFirst()
    {
        var h = new TrackerHarness(o =>
        {
            o.MaxBufferedBytesPerConnection = 1_000_000;
            o.MaxBufferedBytesTotal = 4000;
        });
        h.Protocol.NeverConsume = true;
        var big = TrackerHarness.Id(fd: 100);
        h.Open(big, T0);
        h.Data(big, StreamDirection.Egress, 0, T0 + Ms, "REQ " + new string('b', 2995) + "\n");
        for (var fd = 1; fd <= 5; fd++)
        {
            var small = TrackerHarness.Id(fd: fd);
            h.Open(small, T0);
            h.Data(small, StreamDirection.Egress, 0, T0 + Ms, "REQ " + new string('s', 245) + "\n");
            Assert.InRange(h.Tracker.BufferedBytes, 0, 4000);
        }

        Assert.Equal(3000UL, h.Statistics.BytesDroppedOverMemoryCap);
        Assert.Equal(5 * 250, h.Tracker.BufferedBytes);
        var bigParser = h.Protocol.Created[0];
        Assert.Equal([(StreamDirection.Egress, 3000L, false)], bigParser.Gaps);
        Assert.All(h.Protocol.Created.Skip(1), p => Assert.Empty(p.Gaps));
    }

    [Fact]
    public void AThrowingParserIsContainedToItsConnection()
    {
        var h = new TrackerHarness();
        h.Protocol.ThrowAfterParseCalls = 1;
        var broken = TrackerHarness.Id(fd: 1);
        h.Open(broken, T0);
        h.Data(broken, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Data(broken, StreamDirection.Ingress, 0, T0 + (2 * Ms), "RES a\n");
        h.Data(broken, StreamDirection.Egress, 6, T0 + (3 * Ms), "REQ b\n");

        Assert.Equal(1UL, h.Statistics.ParseFailures);
        Assert.Equal(1UL, h.Statistics.ConnectionsDisabled);
        Assert.Equal([broken], h.Control.Disabled);
        Assert.Equal((ulong)"REQ b\n".Length, h.Statistics.BytesDroppedUnparsed);

        h.Protocol.ThrowAfterParseCalls = -1;
        var healthy = TrackerHarness.Id(fd: 2);
        h.Open(healthy, T0);
        h.Data(healthy, StreamDirection.Egress, 0, T0 + (4 * Ms), "REQ c\n");
        h.Data(healthy, StreamDirection.Ingress, 0, T0 + (5 * Ms), "RES c\n");
        Assert.Equal(["c"], h.LineRecords.Select(r => r.Request));
    }

    [Fact]
    public void AConnectionNoParserRecognisesIsDisabledAndItsDataDropped()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        var noise = Encoding.ASCII.GetBytes(new string('\u0001', 300));
        for (var i = 0; i < 4; i++)
        {
            h.Data(id, StreamDirection.Egress, i * 300, T0 + ((ulong)i * Ms), noise);
        }

        Assert.Equal([id], h.Control.Disabled);
        Assert.Equal(1UL, h.Statistics.ConnectionsDisabled);
        Assert.Equal(1200UL, h.Statistics.BytesDroppedUnparsed);
        Assert.Equal(0, h.Tracker.BufferedBytes);
        Assert.Empty(h.Protocol.Created);

        h.Data(id, StreamDirection.Egress, 1200, T0 + (5 * Ms), "REQ a\n");
        Assert.Empty(h.Protocol.Created);
        Assert.Single(h.Control.Disabled);
    }

    [Fact]
    public void AConfiguredPortChoosesTheParserWithoutInference()
    {
        var other = new FixedScoreProtocol("other", 100);
        var h = new TrackerHarness(ports: new Dictionary<int, string> { [7777] = TestLineProtocol.ProtocolName }, extraParsers: other);
        var id = TrackerHarness.Id();
        h.Open(id, T0, localPort: 7777, remotePort: 50000, role: Ebpf.ProtocolTracing.Kernel.KernelRole.Server);
        h.Data(id, StreamDirection.Ingress, 0, T0 + Ms, "REQ a\n");
        h.Data(id, StreamDirection.Egress, 0, T0 + (2 * Ms), "RES a\n");

        Assert.Single(h.Protocol.Created);
        var record = Assert.Single(h.LineRecords);
        Assert.Equal(ConnectionRole.Server, record.Role);
    }

    [Fact]
    public void AConfirmedKernelGuessIsUsedBeforeInference()
    {
        // Inference alone would pick the line protocol (it scores higher); the kernel's guess wins
        // because its parser confirms the bytes.
        var guessed = new FixedScoreProtocol("guessed", ParserRegistry.InferenceThreshold, WellKnownProtocol.Redis);
        var h = new TrackerHarness(extraParsers: guessed);
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n", protocol: (byte)WellKnownProtocol.Redis);

        Assert.Empty(h.Protocol.Created);
        Assert.Equal(1, guessed.ConnectionsCreated);
        Assert.Equal("guessed", Assert.Single(h.Tracker.SnapshotConnections()).Protocol);
    }

    [Fact]
    public void AKernelGuessItsParserDoesNotConfirmFallsBackToInference()
    {
        var guessed = new FixedScoreProtocol("guessed", 0, WellKnownProtocol.Redis);
        var h = new TrackerHarness(extraParsers: guessed);
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n", protocol: (byte)WellKnownProtocol.Redis);

        Assert.Equal(0, guessed.ConnectionsCreated);
        Assert.Single(h.Protocol.Created);
        Assert.Equal(TestLineProtocol.ProtocolName, Assert.Single(h.Tracker.SnapshotConnections()).Protocol);
    }

    [Fact]
    public void ProtocolsOutsideTheOptionsAreNotUsed()
    {
        var h = new TrackerHarness(o => o.Protocols.Add("something-else"));
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        for (var i = 0; i < 8; i++)
        {
            h.Data(id, StreamDirection.Egress, i * 6, T0 + ((ulong)i * Ms), "REQ a\n");
        }

        Assert.Empty(h.Protocol.Created);
        Assert.Equal([id], h.Control.Disabled);
    }

    [Fact]
    public void StopEndsParsingAndDisablesTheConnection()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\nSTOP\nREQ b\n");

        var parser = h.Protocol.Created.Single();
        Assert.Equal(1, parser.CompleteCalls);
        Assert.Equal(["a"], h.LineRecords.Select(r => r.Request));
        Assert.Equal([id], h.Control.Disabled);
        Assert.Equal(0UL, h.Statistics.ParseFailures);
    }

    [Fact]
    public void SnapshotsReportStreamLengthsPerConnection()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n", originalLength: 10);
        h.Data(id, StreamDirection.Ingress, 0, T0 + (2 * Ms), "RES a\n");

        var snapshot = Assert.Single(h.Tracker.SnapshotConnections());
        Assert.Equal(id, snapshot.Connection.Id);
        Assert.Equal(10UL, snapshot.BytesSent);
        Assert.Equal(6UL, snapshot.BytesReceived);
        Assert.Equal(T0 + (2 * Ms), snapshot.LastActivityNs);
        Assert.Equal(TestLineProtocol.ProtocolName, snapshot.Protocol);
        Assert.Equal(10UL, h.Statistics.EgressBytes);
        Assert.Equal(6UL, h.Statistics.IngressBytes);
        Assert.Equal(2UL + 1, h.Statistics.EventsRead);
    }

    private sealed class FixedScoreProtocol(string name, int score, WellKnownProtocol kernelProtocol = WellKnownProtocol.None) : IProtocolParser
    {
        public int ConnectionsCreated { get; private set; }

        public string Name => name;

        public WellKnownProtocol KernelProtocol => kernelProtocol;

        public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => score;

        public IConnectionParser CreateConnectionParser(IParseContext context)
        {
            ConnectionsCreated++;
            return new TestLineProtocol().CreateConnectionParser(context);
        }
    }
}
