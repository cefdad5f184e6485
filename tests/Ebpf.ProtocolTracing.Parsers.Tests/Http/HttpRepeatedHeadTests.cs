using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>
/// A head that repeats the previous head of its stream byte for byte is taken from what that head made,
/// without scanning or reading it: the records must be exactly what reading it would have made, framing
/// included, and a head that differs in any byte must be read as usual.
/// </summary>
public sealed class HttpRepeatedHeadTests
{
    private const string Request = "GET /status HTTP/1.1\r\nHost: api\r\nUser-Agent: load/1.0\r\n\r\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExactRepeats_MakeTheSameRecordsAsReading(bool multiSegment)
    {
        var repeated = new ParserDriver(multiSegment: multiSegment);
        var start = new DateTimeOffset(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 4; i++)
        {
            repeated.Send(Request, start.AddMilliseconds(2 * i));
            repeated.Receive("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\n\r\n" + $"body{i}", start.AddMilliseconds((2 * i) + 1));
        }

        Assert.Equal(4, repeated.Records.Count);
        for (var i = 0; i < 4; i++)
        {
            // Each record alone on a new connection: nothing there to repeat.
            var alone = new ParserDriver(multiSegment: multiSegment);
            alone.Send(Request, start.AddMilliseconds(2 * i));
            alone.Receive("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\n\r\n" + $"body{i}", start.AddMilliseconds((2 * i) + 1));
            Assert.Equal(alone.Records.Single().Dump(), repeated.Records[i].Dump());
        }

        Assert.Same(repeated.Records[0].Record.RequestHeaders, repeated.Records[3].Record.RequestHeaders);
        Assert.Same(repeated.Records[0].Record.ResponseHeaders, repeated.Records[3].Record.ResponseHeaders);
    }

    [Fact]
    public void ARepeatedHeadRequest_StillTellsItsResponseHasNoBody()
    {
        var driver = new ParserDriver();
        for (var i = 0; i < 3; i++)
        {
            driver.Send("HEAD /file HTTP/1.1\r\nHost: api\r\n\r\n");
            driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        }

        driver.Send("GET /file HTTP/1.1\r\nHost: api\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");

        Assert.Equal(["HEAD", "HEAD", "HEAD", "GET"], driver.Records.ConvertAll(r => r.Record.Method!));
        Assert.All(driver.Records.Take(3), r => Assert.Equal(0, r.Record.ResponseBodySize));
        Assert.Equal("abc", driver.Records[3].ResponseBodyText);
        Assert.All(driver.Records, r => Assert.False(r.Record.DataLost));
    }

    [Fact]
    public void RepeatedChunkedHeads_ReadEachBodyByItsChunks()
    {
        var driver = new ParserDriver();
        string[] bodies = ["a", "hello world", "0123456789abcdef0123"];
        foreach (var body in bodies)
        {
            driver.Send(Request);
            driver.Receive($"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n");
        }

        Assert.Equal(bodies, driver.Records.ConvertAll(r => r.ResponseBodyText));
        Assert.All(driver.Records, r => Assert.False(r.Record.DataLost));
    }

    [Theory]
    [InlineData("GET /status HTTP/1.1\r\nHost: api\r\nUser-Agent: load/1.1\r\n\r\n", "load/1.1", "/status")]
    [InlineData("GET /status HTTP/1.1\r\nHost: api\r\nUser-Agent: load/1.0\r\nX-Extra: 1\r\n\r\n", "load/1.0", "/status")]
    [InlineData("GET /statuS HTTP/1.1\r\nHost: api\r\nUser-Agent: load/1.0\r\n\r\n", "load/1.0", "/statuS")]
    [InlineData("GET /status HTTP/1.1\nHost: api\nUser-Agent: load/1.0\n\n", "load/1.0", "/status")]
    public void AHeadThatDiffersInAnyByte_IsReadAsSent(string second, string userAgent, string target)
    {
        var driver = new ParserDriver();
        driver.Send(Request);
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");
        driver.Send(second);
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");

        var record = driver.Records[1].Record;
        Assert.Equal(target, record.Target);
        Assert.Equal(userAgent, record.RequestHeaders["User-Agent"]);
        Assert.Equal(second.Contains("X-Extra", StringComparison.Ordinal) ? 3 : 2, record.RequestHeaders.Count);
    }

    [Fact]
    public void AHeadThatGrewItsContentLength_FramesItsBodyByTheNewLength()
    {
        var driver = new ParserDriver();
        driver.Send("POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nab");
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");
        driver.Send("POST /a HTTP/1.1\r\nContent-Length: 20\r\n\r\n01234567890123456789");
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");
        driver.Send("POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\ncd");
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");

        Assert.Equal(["ab", "01234567890123456789", "cd"], driver.Records.ConvertAll(r => r.RequestBodyText));
        Assert.All(driver.Records, r => Assert.False(r.Record.DataLost));
    }

    [Fact]
    public void ARepeatThatArrivesInPieces_IsReadAsUsual()
    {
        var driver = new ParserDriver();
        driver.Send(Request);
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");
        driver.Send(Request[..10]);
        driver.Send(Request[10..]);
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");

        Assert.Equal(2, driver.Records.Count);
        Assert.Equal(driver.Records[0].Dump(), driver.Records[1].Dump());
    }

    [Fact]
    public void HeadsLongerThanWhatIsKept_AreStillReadRight_WhenRepeated()
    {
        var longValue = new string('v', HttpRepeatedHead.MaxBytes);
        var request = $"GET /big HTTP/1.1\r\nX-Long: {longValue}\r\n\r\n";
        var driver = new ParserDriver();
        for (var i = 0; i < 3; i++)
        {
            driver.Send(request);
            driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");
        }

        Assert.Equal(3, driver.Records.Count);
        Assert.All(driver.Records, r => Assert.Equal(longValue, r.Record.RequestHeaders["X-Long"]));
    }

    [Fact]
    public void SecretsStayRedacted_InRepeatedHeads()
    {
        var driver = new ParserDriver();
        for (var i = 0; i < 3; i++)
        {
            driver.Send("GET /me HTTP/1.1\r\nAuthorization: Bearer secret\r\n\r\n");
            driver.Receive("HTTP/1.1 200 OK\r\nSet-Cookie: id=secret\r\nContent-Length: 0\r\n\r\n");
        }

        Assert.All(driver.Records, r => Assert.Equal(HttpParserOptions.RedactedValue, r.Record.RequestHeaders["Authorization"]));
        Assert.All(driver.Records, r => Assert.Equal(HttpParserOptions.RedactedValue, r.Record.ResponseHeaders["Set-Cookie"]));
    }

    [Fact]
    public void AnIdleTrim_ForgetsTheKeptHead_AndTheNextHeadIsReadAgain()
    {
        var driver = new ParserDriver();
        driver.Send(Request);
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");
        ((IIdleTrimmableConnectionParser)driver.Parser).TrimIdle();
        driver.Send(Request);
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");

        Assert.Equal(driver.Records[0].Dump(), driver.Records[1].Dump());
        Assert.NotSame(driver.Records[0].Record.RequestHeaders, driver.Records[1].Record.RequestHeaders);
    }

    [Fact]
    public void AOneExchangeConnection_KeepsNoHeadCopyNorSpareMessage_TheSecondExchangeOnDoes()
    {
        var driver = new ParserDriver();
        var parser = (HttpConnectionParser)driver.Parser;
        driver.Send(Request);
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");

        Assert.Equal(0, parser.KeptHeadCount);
        Assert.Equal(0, parser.SpareMessageCount);

        driver.Send(Request);
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");

        Assert.Equal(2, parser.KeptHeadCount);
        Assert.Equal(2, parser.SpareMessageCount);

        ((IIdleTrimmableConnectionParser)parser).TrimIdle();
        driver.Send(Request);
        driver.Receive("HTTP/1.1 204 No Content\r\n\r\n");

        Assert.Equal(0, parser.KeptHeadCount);
        Assert.Equal(0, parser.SpareMessageCount);
        Assert.Equal(3, driver.Records.Count);
        Assert.All(driver.Records, r => Assert.Equal(driver.Records[0].Dump(), r.Dump()));
    }
}
