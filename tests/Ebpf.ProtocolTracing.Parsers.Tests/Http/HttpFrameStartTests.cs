using System.Buffers;
using System.Text;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

public sealed class HttpFrameStartTests
{
    [Theory]
    [InlineData("xx garbage\r\nGET /a HTTP/1.1\r\n\r\n", 12)]
    [InlineData("GET /a HTTP/1.1\r\n", 0)]
    [InlineData("ET /cut HTTP/1.1\r\nPURGE /b HTTP/1.1\r\n", 18)]
    [InlineData("body bytes HTTP/1.1 in text\nHTTP/1.1 200 OK\r\n", 28)]
    [InlineData("\0\0\0HTTP/1.1 200 OK\r\n", 3)]
    [InlineData("end of a body}GET /b HTTP/1.1\r\n", 14)]
    [InlineData("end of a body}XYZ /b HTTP/1.1\r\n", -1)]
    [InlineData("no line here HTTP/1.1 abc\r\n", -1)]
    [InlineData("tail\nGET /incomplete HTTP/1.", -1)]
    public void FindsTheNextStartLine(string text, int expected)
    {
        var parser = new HttpParser().CreateConnectionParser(new RecordingParseContext());
        var bytes = Encoding.Latin1.GetBytes(text);
        foreach (var sequence in new[] { new ReadOnlySequence<byte>(bytes), TestSequence.OneBytePerSegment(bytes) })
        {
            bool found = parser.TryFindFrameStart(StreamDirection.Egress, sequence, out var start);
            Assert.Equal(expected >= 0, found);
            if (found)
            {
                Assert.Equal(expected, sequence.Slice(0, start).Length);
            }
        }
    }

    [Fact]
    public void OnceTheDirectionIsKnown_OnlyItsKindOfStartLineCounts()
    {
        var driver = new ParserDriver();
        driver.Send("GET / HTTP/1.1\r\n\r\n");
        var bytes = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nx\nGET /b HTTP/1.1\r\n");
        Assert.True(driver.Parser.TryFindFrameStart(StreamDirection.Egress, new ReadOnlySequence<byte>(bytes), out var start));
        Assert.Equal(19, new ReadOnlySequence<byte>(bytes).Slice(0, start).Length);
        Assert.True(driver.Parser.TryFindFrameStart(StreamDirection.Ingress, new ReadOnlySequence<byte>(bytes), out start));
        Assert.Equal(0, new ReadOnlySequence<byte>(bytes).Slice(0, start).Length);
    }

    [Fact]
    public void InvalidFrame_ConsumesAtLeastOneByte_SoResyncMovesOn()
    {
        var parser = new HttpParser().CreateConnectionParser(new RecordingParseContext());
        var bytes = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nBad Header\r\n\r\n");
        var status = parser.Parse(StreamDirection.Egress, new ReadOnlySequence<byte>(bytes), 0, out var consumed);
        Assert.Equal(ParseStatus.Invalid, status);
        Assert.Equal(1, new ReadOnlySequence<byte>(bytes).Slice(0, consumed).Length);
    }
}
