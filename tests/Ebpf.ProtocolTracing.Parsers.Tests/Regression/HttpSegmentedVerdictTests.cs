using System.Buffers;
using System.Text;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Regression;

/// <summary>
/// Found by fuzzing (contiguous and segmented delivery of the same input made different records): a
/// head whose last, still incomplete line was already invalid was rejected at once from one span but
/// waited for more bytes from a multi-segment sequence, so resyncs started at different places.
/// </summary>
public sealed class HttpSegmentedVerdictTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHo?st: api")]
    [InlineData("POST /api/items HTTP/1.1\r\nHost: api\r\nContent\x01Type: json")]
    [InlineData("HTTP/1.1 200 OK\r\nSet Cookie: id=1")]
    [InlineData("GET / HTTP/1.1\r\nHost: shop\r\nUser-Agent: Mozilla")]
    [InlineData("HTTP/1.1 201 Created\r\nContent-Length: 1")]
    public void EveryPrefix_GetsTheSameVerdict_FromOneSpanAndFromOneByteSegments(string head)
    {
        var bytes = Encoding.Latin1.GetBytes(head);
        for (int length = 1; length <= bytes.Length; length++)
        {
            var prefix = bytes[..length];
            var (contiguous, contiguousConsumed) = ParseOnce(new ReadOnlySequence<byte>(prefix));
            var (segmented, segmentedConsumed) = ParseOnce(TestSequence.OneBytePerSegment(prefix));

            Assert.True(contiguous == segmented && contiguousConsumed == segmentedConsumed,
                $"prefix of {length} bytes: {contiguous}/{contiguousConsumed} from one span, {segmented}/{segmentedConsumed} from segments");
        }
    }

    private static (ParseStatus Status, long Consumed) ParseOnce(ReadOnlySequence<byte> data)
    {
        var parser = new HttpParser().CreateConnectionParser(new RecordingParseContext());
        var status = parser.Parse(StreamDirection.Egress, data, 0, out var consumed);
        return (status, data.Slice(0, consumed).Length);
    }
}
