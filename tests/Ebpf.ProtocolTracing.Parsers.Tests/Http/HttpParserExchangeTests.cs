using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

public sealed class HttpParserExchangeTests
{
    private static readonly DateTimeOffset T0 = RecordingParseContext.Epoch;

    [Fact]
    public void RequestAndResponse_BecomeOneRecordWithAllFields()
    {
        var driver = new ParserDriver();
        driver.Send(HttpSamples.BrowserGet, T0.AddMilliseconds(1));
        Assert.Empty(driver.Records);
        driver.Receive(HttpSamples.SmallResponse, T0.AddMilliseconds(4));

        var record = Assert.Single(driver.Records).Record;
        Assert.Equal("http", record.Protocol);
        Assert.Equal("GET", record.Method);
        Assert.Equal("/products/42?ref=home", record.Target);
        Assert.Equal("HTTP/1.1", record.Version);
        Assert.Equal(ConnectionRole.Client, record.Role);
        Assert.Equal(10, record.RequestHeaders.Count);
        Assert.Equal("shop.example.com", record.RequestHeaders["host"]);
        Assert.True(record.RequestHeaders.TryGetValue("ACCEPT-ENCODING", out var encoding));
        Assert.Equal("gzip, deflate, br", encoding);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal("OK", record.ReasonPhrase);
        Assert.Equal("nginx/1.24.0", record.ResponseHeaders["Server"]);
        Assert.Equal("<p>hello</p>\n", new HttpRecordView(record).ResponseBodyText);
        Assert.Equal(13, record.ResponseBodySize);
        Assert.False(record.ResponseBodyTruncated);
        Assert.Equal(T0.AddMilliseconds(1), record.RequestTime);
        Assert.Equal(T0.AddMilliseconds(4), record.ResponseTime);
        Assert.Equal(TimeSpan.FromMilliseconds(3), record.Latency);
        Assert.False(record.DataLost);
        Assert.Equal(4242, record.Pid);
        Assert.Contains("GET /products/42?ref=home HTTP/1.1 -> 200 OK", record.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RequestsReceived_MakeTheProcessTheServer()
    {
        var driver = new ParserDriver();
        driver.Receive(HttpSamples.PostWithBody);
        driver.Send("HTTP/1.1 204 No Content\r\n\r\n");

        var record = Assert.Single(driver.Records).Record;
        Assert.Equal(ConnectionRole.Server, record.Role);
        Assert.Equal("POST", record.Method);
        Assert.Equal("{\"a\":[1,2]}", new HttpRecordView(record).RequestBodyText);
        Assert.Equal(11, record.RequestBodySize);
        Assert.Equal(204, record.StatusCode);
    }

    [Fact]
    public void Secrets_AreRedactedByDefault_AndKeptWhenDisabled()
    {
        var redacted = new ParserDriver();
        redacted.Send(HttpSamples.PostWithBody);
        redacted.Receive(HttpSamples.SmallResponse);
        var record = Assert.Single(redacted.Records).Record;
        Assert.Equal(HttpParserOptions.RedactedValue, record.RequestHeaders["Authorization"]);
        Assert.Equal(HttpParserOptions.RedactedValue, record.ResponseHeaders["set-cookie"]);
        Assert.Equal("api", record.RequestHeaders["Host"]);

        var plain = new ParserDriver(new HttpParserOptions { RedactSecrets = false });
        plain.Send(HttpSamples.BrowserGet);
        plain.Send(HttpSamples.PostWithBody);
        plain.Receive(HttpSamples.SmallResponse + HttpSamples.SmallResponse);
        Assert.Equal("session=abc123; theme=dark", plain.Records[0].Record.RequestHeaders["Cookie"]);
        Assert.Equal("Bearer s3cr3t", plain.Records[1].Record.RequestHeaders["Authorization"]);
        Assert.Equal("id=xyz; HttpOnly", plain.Records[1].Record.ResponseHeaders["Set-Cookie"]);
    }

    [Fact]
    public void ChunkedBody_IsDecodedWithExtensionsAndTrailers()
    {
        var driver = new ParserDriver();
        driver.Send("POST /upload HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        driver.Receive(HttpSamples.ChunkedResponse);

        var record = Assert.Single(driver.Records);
        Assert.Equal("abc", record.RequestBodyText);
        Assert.Equal(201, record.Record.StatusCode);
        Assert.Equal("hello, world", record.ResponseBodyText);
        Assert.Equal(12, record.Record.ResponseBodySize);
        Assert.Equal(0, driver.Buffered(StreamDirection.Ingress));
    }

    [Fact]
    public void PipelinedRequests_PairInOrder()
    {
        var driver = new ParserDriver();
        driver.Send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nPOST /3 HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz");
        driver.Receive(
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1" +
            "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\n2" +
            "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n3");

        Assert.Collection(
            driver.Records,
            r => Assert.Equal(("/1", 200, "1"), (r.Record.Target, r.Record.StatusCode, r.ResponseBodyText)),
            r => Assert.Equal(("/2", 404, "2"), (r.Record.Target, r.Record.StatusCode, r.ResponseBodyText)),
            r => Assert.Equal(("/3", 201, "3", "xyz"), (r.Record.Target, r.Record.StatusCode, r.ResponseBodyText, r.RequestBodyText)));
    }

    [Fact]
    public void HeadResponse_HasNoBodyDespiteContentLength()
    {
        var driver = new ParserDriver();
        driver.Send("HEAD /big HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        Assert.Equal(2, driver.Records.Count);
        Assert.Equal(("HEAD", 0L, "1000"), (driver.Records[0].Record.Method, driver.Records[0].Record.ResponseBodySize, driver.Records[0].Record.ResponseHeaders["Content-Length"]));
        Assert.Equal(("/next", "ok"), (driver.Records[1].Record.Target, driver.Records[1].ResponseBodyText));
    }

    [Fact]
    public void InterimResponse_DoesNotTakeTheRequest()
    {
        var driver = new ParserDriver();
        driver.Send("PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        driver.Receive("HTTP/1.1 100 Continue\r\n\r\n");
        Assert.Empty(driver.Records);
        driver.Send("data");
        driver.Receive("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");

        var record = Assert.Single(driver.Records);
        Assert.Equal(("PUT", 201, "data", false), (record.Record.Method, record.Record.StatusCode, record.RequestBodyText, record.Record.DataLost));
    }

    [Theory]
    [InlineData("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n")]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")]
    public void NoContentAndNotModified_HaveNoBody(string first)
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
        driver.Receive(first + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");

        Assert.Equal(2, driver.Records.Count);
        Assert.Equal(0, driver.Records[0].Record.ResponseBodySize);
        Assert.Equal(("/b", 200, "hi"), (driver.Records[1].Record.Target, driver.Records[1].Record.StatusCode, driver.Records[1].ResponseBodyText));
    }

    [Fact]
    public void ResponseWithoutLength_IsReadUntilClose()
    {
        var driver = new ParserDriver();
        driver.Send("GET /stream HTTP/1.0\r\n\r\n");
        driver.Receive("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst ");
        driver.Receive("second");
        Assert.Empty(driver.Records);
        Assert.Equal(0, driver.Buffered(StreamDirection.Ingress));

        driver.Complete();
        var record = Assert.Single(driver.Records);
        Assert.Equal(("HTTP/1.0", "first second", 12L, false), (record.Record.Version, record.ResponseBodyText, record.Record.ResponseBodySize, record.Record.DataLost));
    }

    [Fact]
    public void RequestWithoutLength_HasNoBody()
    {
        var driver = new ParserDriver();
        driver.Send("DELETE /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(["/x", "/y"], driver.Records.Select(r => r.Record.Target));
        Assert.Equal(0, driver.Records[0].Record.RequestBodySize);
    }

    [Fact]
    public void SwitchingProtocols_EmitsAndStops()
    {
        var driver = new ParserDriver();
        driver.Send("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");

        // A client may send frames right away; they are not HTTP and must not be parsed as such.
        driver.Feed(StreamDirection.Egress, [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f]);
        Assert.Equal(0, driver.InvalidCount);
        driver.Receive("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello");

        Assert.True(driver.Stopped);
        var record = Assert.Single(driver.Records).Record;
        Assert.Equal(("/ws", 101, false), (record.Target, record.StatusCode, record.DataLost));
        Assert.Equal(ParseStatus.Stop, driver.Parser.Parse(StreamDirection.Ingress, new("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray()), 0, out _));
    }

    [Fact]
    public void UpgradeDeclined_KeepsParsingTheRequestStream()
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\nUpgrade: h2c\r\n\r\n");
        driver.Send("GET /b HTTP/1.1\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        Assert.False(driver.Stopped);
        Assert.Equal(["/a", "/b"], driver.Records.Select(r => r.Record.Target));
    }

    [Fact]
    public void ConnectAccepted_Stops_ConnectRefused_Continues()
    {
        var accepted = new ParserDriver();
        accepted.Send("CONNECT db.example:443 HTTP/1.1\r\nHost: db.example:443\r\n\r\n");
        accepted.Receive("HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01");
        Assert.True(accepted.Stopped);
        Assert.Equal(("CONNECT", "db.example:443", 200), (accepted.Records[0].Record.Method, accepted.Records[0].Record.Target, accepted.Records[0].Record.StatusCode));

        var refused = new ParserDriver();
        refused.Send("CONNECT db.example:443 HTTP/1.1\r\n\r\n");
        refused.Receive("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
        refused.Send("CONNECT db.example:443 HTTP/1.1\r\nProxy-Authorization: Basic eDp5\r\n\r\n");
        refused.Receive("HTTP/1.1 200 OK\r\n\r\n");
        Assert.True(refused.Stopped);
        Assert.Equal([407, 200], refused.Records.Select(r => r.Record.StatusCode!.Value));
        Assert.Equal(HttpParserOptions.RedactedValue, refused.Records[1].Record.RequestHeaders["Proxy-Authorization"]);
    }

    [Fact]
    public void BodyBeyondTheLimit_IsCountedNotKept()
    {
        var driver = new ParserDriver(new HttpParserOptions { MaxBodyBytes = 10 });
        driver.Send("GET / HTTP/1.1\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + new string('x', 1000));

        var record = Assert.Single(driver.Records).Record;
        Assert.Equal(10, record.ResponseBody.Length);
        Assert.Equal(1000, record.ResponseBodySize);
        Assert.True(record.ResponseBodyTruncated);
        Assert.False(record.DataLost);
    }

    [Fact]
    public void HugeBody_IsStreamedWithoutBuffering()
    {
        var driver = new ParserDriver();
        const long size = 100L * 1024 * 1024;
        driver.Send("POST /upload HTTP/1.1\r\nContent-Length: " + size + "\r\n\r\n");
        var piece = new byte[64 * 1024];
        piece.AsSpan().Fill((byte)'z');
        for (long sent = 0; sent < size; sent += piece.Length)
        {
            driver.Feed(StreamDirection.Egress, piece);
        }

        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        var record = Assert.Single(driver.Records).Record;
        Assert.Equal(size, record.RequestBodySize);
        Assert.Equal(4096, record.RequestBody.Length);
        Assert.True(driver.MaxBuffered < 1024, $"the parser held back {driver.MaxBuffered} bytes");
    }

    [Fact]
    public void ResponseWithoutRequest_IsEmittedAsLost()
    {
        var driver = new ParserDriver();
        driver.Receive(HttpSamples.SmallResponse);
        var record = Assert.Single(driver.Records).Record;
        Assert.True(record.DataLost);
        Assert.Null(record.Method);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal(ConnectionRole.Client, record.Role);
    }

    [Fact]
    public void Complete_EmitsUnansweredRequests_AndCutBodiesAsLost()
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
        driver.Complete();

        Assert.Equal(2, driver.Records.Count);
        Assert.Equal(("/a", 200, true, "12345"), (driver.Records[0].Record.Target, driver.Records[0].Record.StatusCode, driver.Records[0].Record.DataLost, driver.Records[0].ResponseBodyText));
        Assert.Equal(("/b", (int?)null, false), (driver.Records[1].Record.Target, driver.Records[1].Record.StatusCode, driver.Records[1].Record.DataLost));
    }

    [Fact]
    public void PendingRequests_AreBounded_AndResponsesStillPairCorrectly()
    {
        var driver = new ParserDriver(new HttpParserOptions { MaxPendingRequests = 2 });
        for (int i = 1; i <= 5; i++)
        {
            driver.Send($"GET /{i} HTTP/1.1\r\n\r\n");
        }

        // The three oldest were emitted without responses to keep the bound.
        Assert.Equal(["/1", "/2", "/3"], driver.Records.Select(r => r.Record.Target));
        Assert.All(driver.Records, r => Assert.True(r.Record.DataLost));
        for (int i = 1; i <= 5; i++)
        {
            driver.Receive($"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{i}");
        }

        var paired = driver.Records.Skip(3).ToList();
        Assert.Equal(5, paired.Count);
        Assert.All(paired.Take(3), r => Assert.True(r.Record.DataLost && r.Record.Method is null));
        Assert.Equal(("/4", "4"), (paired[3].Record.Target, paired[3].ResponseBodyText));
        Assert.Equal(("/5", "5"), (paired[4].Record.Target, paired[4].ResponseBodyText));
    }

    [Fact]
    public void ObsFold_IsJoinedIntoThePreviousValue()
    {
        var driver = new ParserDriver();
        driver.Send("GET / HTTP/1.1\r\nX-Long: first\r\n  second\r\nHost: h\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        var record = Assert.Single(driver.Records).Record;
        Assert.Equal("first second", record.RequestHeaders["X-Long"]);
        Assert.Equal("h", record.RequestHeaders["Host"]);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: 1\r\n  2\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n NoName\r\n\r\n")]
    [InlineData("GET /a b HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/2.0\r\n\r\n")]
    [InlineData("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")]
    public void BadHeads_AreInvalid(string head)
    {
        var driver = new ParserDriver();
        driver.Send(head);
        Assert.Equal(1, driver.InvalidCount);
        Assert.Empty(driver.Records);
    }

    [Fact]
    public void OverlongHead_AndTooManyHeaders_AreInvalid()
    {
        var longHead = new ParserDriver(new HttpParserOptions { MaxHeaderBytes = 1024 });
        longHead.Send("GET / HTTP/1.1\r\nX: " + new string('a', 2000));
        Assert.Equal(1, longHead.InvalidCount);

        var manyHeaders = new ParserDriver(new HttpParserOptions { MaxHeaderCount = 3 });
        manyHeaders.Send("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n");
        Assert.Equal(1, manyHeaders.InvalidCount);

        var fits = new ParserDriver(new HttpParserOptions { MaxHeaderCount = 3 });
        fits.Send("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
        Assert.Equal(0, fits.InvalidCount);
    }

    [Fact]
    public void BareLineFeeds_AreAccepted()
    {
        var driver = new ParserDriver();
        driver.Send("GET /lf HTTP/1.1\nHost: x\n\n");
        driver.Receive("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n");
        var record = Assert.Single(driver.Records);
        Assert.Equal(("/lf", "x", "ok"), (record.Record.Target, record.Record.RequestHeaders["Host"], record.ResponseBodyText));
    }
}
