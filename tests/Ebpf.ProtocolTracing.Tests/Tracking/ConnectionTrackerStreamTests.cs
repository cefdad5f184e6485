using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

public class ConnectionTrackerStreamTests
{
    private const ulong Ms = 1_000_000;
    private const ulong T0 = 10_000 * Ms;

    [Fact]
    public void InOrderStreamGivesRecordsWithTheTimesOfTheEventsThatCarriedTheirFirstBytes()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + (1 * Ms), "REQ a\n");
        h.Data(id, StreamDirection.Ingress, 0, T0 + (2 * Ms), "RES a\n");
        h.Data(id, StreamDirection.Egress, 6, T0 + (3 * Ms), "REQ b\nREQ c\n");
        h.Data(id, StreamDirection.Ingress, 6, T0 + (4 * Ms), "RES b\nRES c\n");

        // A request split over two events takes the time of its first byte.
        h.Data(id, StreamDirection.Egress, 18, T0 + (5 * Ms), "RE");
        h.Data(id, StreamDirection.Egress, 20, T0 + (6 * Ms), "Q d\n");
        h.Data(id, StreamDirection.Ingress, 18, T0 + (7 * Ms), "RES d\n");

        var records = h.LineRecords.ToList();
        Assert.Equal(["a", "b", "c", "d"], records.Select(r => r.Request));
        Assert.Equal(["a", "b", "c", "d"], records.Select(r => r.Response));
        Assert.Equal(TrackerHarness.At(T0 + (1 * Ms)), records[0].RequestTime);
        Assert.Equal(TrackerHarness.At(T0 + (2 * Ms)), records[0].ResponseTime);
        Assert.Equal(TrackerHarness.At(T0 + (3 * Ms)), records[2].RequestTime);
        Assert.Equal(TrackerHarness.At(T0 + (4 * Ms)), records[2].ResponseTime);
        Assert.Equal(TrackerHarness.At(T0 + (5 * Ms)), records[3].RequestTime);
        Assert.Equal(TrackerHarness.At(T0 + (7 * Ms)), records[3].ResponseTime);
        Assert.All(records, r => Assert.False(r.DataLost));

        var connection = records[0].Connection;
        Assert.Equal(id, connection.Id);
        Assert.Equal("testproc", connection.Process.Name);
        Assert.Equal(12345UL, connection.Process.StartTimeNs);
        Assert.Equal("127.0.0.1:40000", connection.LocalEndPoint!.ToString());
        Assert.Equal("10.0.0.2:9000", connection.RemoteEndPoint!.ToString());
        Assert.Equal(ConnectionRole.Client, connection.Role);
        Assert.Equal(TransportProtocol.Tcp, connection.Transport);

        Assert.Equal(4UL, h.Statistics.RecordsProduced);
        Assert.Equal(0UL, h.Statistics.GapBytes);
        Assert.Equal(0, h.Tracker.BufferedBytes);
    }

    public static TheoryData<int[]> ChunkOrders()
    {
        var data = new TheoryData<int[]>();
        foreach (var order in Permutations([0, 1, 2, 3]))
        {
            data.Add(order);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ChunkOrders))]
    public void ReorderedEventsGiveTheSameRecordsAsInOrderOnes(int[] order)
    {
        // Chunk boundaries fall inside lines on purpose.
        string[] chunks = ["REQ a\nRE", "Q b", "b\nREQ c\nR", "EQ d\n"];
        var positions = new long[chunks.Length];
        for (var i = 1; i < chunks.Length; i++)
        {
            positions[i] = positions[i - 1] + chunks[i - 1].Length;
        }

        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        foreach (var index in order)
        {
            h.Data(id, StreamDirection.Egress, positions[index], T0 + ((ulong)(index + 1) * Ms), chunks[index]);
        }

        h.Data(id, StreamDirection.Ingress, 0, T0 + (10 * Ms), "RES a\nRES bb\nRES c\nRES d\n");

        var records = h.LineRecords.ToList();
        Assert.Equal(["a", "bb", "c", "d"], records.Select(r => r.Request));
        Assert.Equal(["a", "bb", "c", "d"], records.Select(r => r.Response));
        Assert.Equal(
            [TrackerHarness.At(T0 + Ms), TrackerHarness.At(T0 + Ms), TrackerHarness.At(T0 + (3 * Ms)), TrackerHarness.At(T0 + (3 * Ms))],
            records.Select(r => r.RequestTime));
        Assert.Equal(0UL, h.Statistics.GapBytes);
        Assert.Empty(h.Protocol.Created.Single().Gaps);
    }

    [Fact]
    public void PositionJumpBecomesAGapOfExactSizeAfterTheReorderWindowAndParsingResyncs()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Data(id, StreamDirection.Egress, 16, T0 + (2 * Ms), "xx\nREQ b\n");

        var parser = h.Protocol.Created.Single();
        Assert.Empty(parser.Gaps);

        h.Tracker.Tick(T0 + (2 * Ms) + (199 * Ms));
        Assert.Empty(parser.Gaps);

        h.Tracker.Tick(T0 + (2 * Ms) + (201 * Ms));
        Assert.Equal([(StreamDirection.Egress, 10L, false)], parser.Gaps);
        Assert.Equal(10UL, h.Statistics.GapBytes);
        Assert.Equal(3UL, h.Statistics.ResyncSkippedBytes);

        h.Data(id, StreamDirection.Ingress, 0, T0 + (300 * Ms), "RES a\nRES b\n");
        var records = h.LineRecords.ToList();
        Assert.Equal(["a", "b"], records.Select(r => r.Request));
        Assert.False(records[0].DataLost);
        Assert.True(records[1].DataLost);
        Assert.Equal(TrackerHarness.At(T0 + (2 * Ms)), records[1].RequestTime);
    }

    [Fact]
    public void LaterDataOutsideTheReorderWindowAlsoDeclaresTheGap()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Data(id, StreamDirection.Egress, 10, T0 + (2 * Ms), "REQ b\n");
        h.Data(id, StreamDirection.Ingress, 0, T0 + (500 * Ms), "RES a\n");

        Assert.Equal([(StreamDirection.Egress, 4L, false)], h.Protocol.Created.Single().Gaps);
        Assert.Equal(4UL, h.Statistics.GapBytes);
    }

    [Fact]
    public void UncapturedTailIsReportedAtOnceWithItsExactSize()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n", originalLength: 20);

        var parser = h.Protocol.Created.Single();
        Assert.Equal([(StreamDirection.Egress, 14L, false)], parser.Gaps);
        Assert.Equal(14UL, h.Statistics.GapBytes);

        h.Data(id, StreamDirection.Egress, 20, T0 + (2 * Ms), "REQ b\n");
        h.Data(id, StreamDirection.Ingress, 0, T0 + (3 * Ms), "RES a\nRES b\n");
        Assert.Equal(["a", "b"], h.LineRecords.Select(r => r.Request));
        Assert.Equal(0UL, h.Statistics.ResyncSkippedBytes);
    }

    [Fact]
    public void GapInsideABodyOfKnownLengthIsAbsorbedWithoutResync()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "DATA 10\n1234", originalLength: 15);
        h.Data(id, StreamDirection.Egress, 15, T0 + (2 * Ms), "890REQ a\n");
        h.Data(id, StreamDirection.Ingress, 0, T0 + (3 * Ms), "RES a\n");

        Assert.Equal([(StreamDirection.Egress, 3L, true)], h.Protocol.Created.Single().Gaps);
        var records = h.LineRecords.ToList();
        Assert.Equal(["DATA", "a"], records.Select(r => r.Request));
        Assert.True(records[0].DataLost);
        Assert.False(records[1].DataLost);
        Assert.Equal(0UL, h.Statistics.ResyncSkippedBytes);
    }

    [Fact]
    public void PartialFrameBeforeAGapCountsAsLostFromTheParsersPointOfView()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\nREQ", originalLength: 12);

        // 3 buffered bytes of the unfinished line plus 3 uncaptured ones.
        Assert.Equal([(StreamDirection.Egress, 6L, false)], h.Protocol.Created.Single().Gaps);
        Assert.Equal(3UL, h.Statistics.GapBytes);
        Assert.Equal(3UL, h.Statistics.ResyncSkippedBytes);
    }

    [Fact]
    public void InvalidBytesAreSkippedUpToTheNextFrame()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\nGARBAGE\nREQ b\n");
        h.Data(id, StreamDirection.Ingress, 0, T0 + (2 * Ms), "RES a\nRES b\n");

        Assert.Equal(["a", "b"], h.LineRecords.Select(r => r.Request));
        Assert.Equal(1UL, h.Statistics.ParseFailures);
        Assert.Equal((ulong)"GARBAGE\n".Length, h.Statistics.ResyncSkippedBytes);
    }

    [Fact]
    public void DuplicateAndOverlappingEventsAreTrimmedNeverFedTwice()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\nREQ b\n");
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\nREQ b\n");
        h.Data(id, StreamDirection.Egress, 3, T0 + (2 * Ms), " a\nREQ b\nREQ c\n");

        // Early data overlapping other early data, and data overlapping what was already fed.
        h.Data(id, StreamDirection.Egress, 24, T0 + (3 * Ms), "REQ e\n");
        h.Data(id, StreamDirection.Egress, 21, T0 + (3 * Ms), " d\nREQ e\n");
        h.Data(id, StreamDirection.Egress, 16, T0 + (3 * Ms), "c\nREQ d");
        h.Data(id, StreamDirection.Ingress, 0, T0 + (4 * Ms), "RES 1\nRES 2\nRES 3\nRES 4\nRES 5\n");

        Assert.Equal(["a", "b", "c", "d", "e"], h.LineRecords.Select(r => r.Request));
        Assert.Equal(0UL, h.Statistics.GapBytes);
        Assert.Equal(0UL, h.Statistics.ParseFailures);
    }

    [Fact]
    public void CloseCountsBeyondWhatWasSeenAreAFinalGap()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Data(id, StreamDirection.Ingress, 0, T0 + (2 * Ms), "RES a\n");
        h.Close(id, T0 + (3 * Ms), bytesSent: 13, bytesReceived: 6);

        // Missing bytes may still be on their way: the close waits for the reorder window.
        Assert.Equal(1, h.Tracker.ConnectionCount);
        h.Tracker.Tick(T0 + (3 * Ms) + (200 * Ms));

        var parser = h.Protocol.Created.Single();
        Assert.Equal([(StreamDirection.Egress, 7L, false)], parser.Gaps);
        Assert.Equal(1, parser.CompleteCalls);
        Assert.Equal(7UL, h.Statistics.GapBytes);
        Assert.Equal(0, h.Tracker.ConnectionCount);
    }

    [Fact]
    public void ClosedConnectionTheKernelSentNothingOfIsNotCapturedNotLost()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Close(id, T0 + (3 * Ms), bytesSent: 9_600, bytesReceived: 4_800, dataSent: false);
        h.Tracker.Tick(T0 + (3 * Ms) + (200 * Ms));

        Assert.Equal(0, h.Tracker.ConnectionCount);
        Assert.Empty(h.Protocol.Created);
        Assert.Equal(14_400UL, h.Statistics.BytesNotCaptured);
        Assert.Equal(0UL, h.Statistics.GapBytes);
    }

    [Fact]
    public void ClosedConnectionWhoseEveryDataEventWasLostIsAGap()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);

        // The kernel sent data events (the close says so) but none arrived: they were lost, not left behind.
        h.Close(id, T0 + (3 * Ms), bytesSent: 9_600, bytesReceived: 4_800, dataSent: true);
        h.Tracker.Tick(T0 + (3 * Ms) + (200 * Ms));

        Assert.Equal(0, h.Tracker.ConnectionCount);
        Assert.Equal(14_400UL, h.Statistics.GapBytes);
        Assert.Equal(0UL, h.Statistics.BytesNotCaptured);
    }

    [Fact]
    public void ClosedConnectionWithDataInOneDirectionOnlyLosesTheOtherDirection()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Close(id, T0 + (3 * Ms), bytesSent: 6, bytesReceived: 6);
        h.Tracker.Tick(T0 + (3 * Ms) + (200 * Ms));

        // The kernel sent this connection up, so the response it never delivered is a gap.
        Assert.Equal(6UL, h.Statistics.GapBytes);
        Assert.Equal(0UL, h.Statistics.BytesNotCaptured);
    }

    [Fact]
    public void CloseWaitsForLateDataAndThenFinishesWithoutAGap()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Close(id, T0 + (3 * Ms), bytesSent: 6, bytesReceived: 6);
        Assert.Equal(1, h.Tracker.ConnectionCount);

        h.Data(id, StreamDirection.Ingress, 0, T0 + (2 * Ms), "RES a\n");

        Assert.Equal(0, h.Tracker.ConnectionCount);
        Assert.Equal(0UL, h.Statistics.GapBytes);
        Assert.Equal(["a"], h.LineRecords.Select(r => r.Response));

        // A straggler of the finished connection does not start a new one.
        h.Data(id, StreamDirection.Ingress, 6, T0 + (4 * Ms), "RES z\n");
        Assert.Equal(0, h.Tracker.ConnectionCount);
    }

    [Fact]
    public void CloseFlushesRequestsWithoutResponses()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Open(id, T0);
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\nREQ b\n");
        h.Data(id, StreamDirection.Ingress, 0, T0 + (2 * Ms), "RES a\n");
        h.Close(id, T0 + (3 * Ms), bytesSent: 12, bytesReceived: 6);

        var records = h.LineRecords.ToList();
        Assert.Equal(["a", "b"], records.Select(r => r.Request));
        Assert.Null(records[1].Response);
        Assert.Null(records[1].ResponseTime);
        Assert.Equal(0, h.Tracker.ConnectionCount);
        Assert.Equal(1UL, h.Statistics.ConnectionsClosed);
        Assert.Equal(0, h.Statistics.ConnectionsTracked);
    }

    [Fact]
    public void ReusedDescriptorWithANewGenerationIsANewConnection()
    {
        var h = new TrackerHarness();
        var first = TrackerHarness.Id(fd: 9, generation: 100);
        var second = TrackerHarness.Id(fd: 9, generation: 200);
        h.Open(first, T0);
        h.Data(first, StreamDirection.Egress, 0, T0 + Ms, "REQ old\n");
        h.Open(second, T0 + (2 * Ms));
        h.Data(second, StreamDirection.Ingress, 0, T0 + (3 * Ms), "RES new\n");
        h.Data(second, StreamDirection.Egress, 0, T0 + (4 * Ms), "REQ x\n");
        h.Data(second, StreamDirection.Ingress, 8, T0 + (5 * Ms), "RES x\n");

        Assert.Equal(2, h.Tracker.ConnectionCount);
        h.Tracker.CompleteAll();

        var records = h.LineRecords.ToList();
        var old = Assert.Single(records, r => r.Request == "old");
        Assert.Equal(first, old.Connection.Id);
        Assert.Null(old.Response);
        var x = Assert.Single(records, r => r.Request == "x");
        Assert.Equal(second, x.Connection.Id);
        Assert.Equal("x", x.Response);
        Assert.Equal(2, records.Count);
    }

    [Fact]
    public void DataBeforeItsOpenEventCreatesTheConnectionAndTheOpenFillsItIn()
    {
        var h = new TrackerHarness();
        var id = TrackerHarness.Id();
        h.Data(id, StreamDirection.Egress, 0, T0 + Ms, "REQ a\n");
        h.Open(id, T0);
        h.Data(id, StreamDirection.Ingress, 0, T0 + (2 * Ms), "RES a\n");

        var record = Assert.Single(h.LineRecords);
        Assert.Equal("testproc", record.ProcessName);
        Assert.Equal(TrackerHarness.Pid, record.Pid);
        Assert.Equal(9000, record.RemoteEndPoint!.Port);
        Assert.Equal(1UL, h.Statistics.ConnectionsOpened);
    }

    internal static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, index) => index != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}
