using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// After a gap the tracker resyncs with the parser's frame finder, which needs a complete start line.
/// A start line longer than the tail the tracker kept between events (64 bytes once) lost its
/// beginning when it arrived in two pieces, and with it the whole request (found by fuzzing: the same
/// bytes made a record or not depending on where a delivery ended).
/// </summary>
public sealed class ResyncLongStartLineTests
{
    [Theory]
    [InlineData(40)]
    [InlineData(90)]
    [InlineData(200)]
    [InlineData(1000)]
    public void LongRequestLine_SplitAcrossEventsAfterAGap_IsFound(int split)
    {
        var h = new TrackerHarness(ports: new Dictionary<int, string> { [80] = "http" }, extraParsers: new HttpParser());
        var id = TrackerHarness.Id();
        h.Open(id, 1_000, remotePort: 80);
        long position = 0;
        var first = "GET /first HTTP/1.1\r\nHost: shop\r\n\r\n";
        h.Data(id, StreamDirection.Egress, position, 2_000, first);
        position += first.Length;

        // A request whose head is cut by a 500-byte gap: the parser loses its place.
        var cut = "GET /cut HTTP/1.1\r\nHost: sh";
        h.Data(id, StreamDirection.Egress, position, 3_000, cut, originalLength: cut.Length + 500);
        position += cut.Length + 500;

        var path = "/search?q=" + new string('x', 1100);
        var request = $"GET {path} HTTP/1.1\r\nHost: shop\r\n\r\n";
        h.Data(id, StreamDirection.Egress, position, 4_000, request[..split]);
        h.Data(id, StreamDirection.Egress, position + split, 5_000, request[split..]);
        position += request.Length;
        h.Close(id, 6_000, position, 0);
        h.Tracker.CompleteAll();

        Assert.Contains(h.Records.OfType<HttpRecord>(), r => r.Target == path);
    }
}
