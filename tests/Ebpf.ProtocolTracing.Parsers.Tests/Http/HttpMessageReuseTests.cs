using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>
/// A keep-alive connection reuses what it made for earlier messages: the previous head's header list when
/// a head repeats every field, and the scaffolding of finished messages. Records handed out must keep
/// exactly what was on the wire, whatever later messages on the connection do.
/// </summary>
public sealed class HttpMessageReuseTests
{
    private const string Response = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

    [Fact]
    public void AHeadThatRepeatsEveryField_GetsThePreviousHeadersList()
    {
        var driver = new ParserDriver();
        for (var i = 0; i < 3; i++)
        {
            driver.Send($"GET /item/{i} HTTP/1.1\r\nHost: api\r\nAccept: */*\r\n\r\n");
            driver.Receive(Response);
        }

        var records = driver.Records.ConvertAll(r => r.Record);
        Assert.Same(records[0].ResponseHeaders, records[1].ResponseHeaders);
        Assert.Same(records[1].ResponseHeaders, records[2].ResponseHeaders);
        Assert.Same(records[0].RequestHeaders, records[2].RequestHeaders);
        Assert.Equal(["/item/0", "/item/1", "/item/2"], records.ConvertAll(r => r.Target!));
        Assert.Equal("text/plain", records[2].ResponseHeaders["Content-Type"]);
        Assert.Equal(3, records[2].ResponseHeaders.Count);
    }

    [Theory]
    [InlineData("Host: api\r\nAccept: */*\r\nX-Id: 2\r\n", new[] { "Host=api", "Accept=*/*", "X-Id=2" })]
    [InlineData("Host: api\r\nAccept: */*\r\n", new[] { "Host=api", "Accept=*/*" })]
    [InlineData("Host: api\r\nAccept: */*\r\nX-Id: 1\r\nX-More: yes\r\n", new[] { "Host=api", "Accept=*/*", "X-Id=1", "X-More=yes" })]
    [InlineData("Host: api\r\nAccept: */*\r\nX-Id: 1\r\n  folded\r\n", new[] { "Host=api", "Accept=*/*", "X-Id=1 folded" })]
    [InlineData("Host: api\r\n  folded\r\nAccept: */*\r\nX-Id: 1\r\n", new[] { "Host=api folded", "Accept=*/*", "X-Id=1" })]
    [InlineData("Accept: */*\r\nHost: api\r\nX-Id: 1\r\n", new[] { "Accept=*/*", "Host=api", "X-Id=1" })]
    public void AHeadThatDiffersAnywhere_GetsItsOwnList_AndTheEarlierRecordKeepsItsOwn(string fields, string[] expected)
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\nAccept: */*\r\nX-Id: 1\r\n\r\n");
        driver.Receive(Response);
        driver.Send($"GET /a HTTP/1.1\r\n{fields}\r\n");
        driver.Receive(Response);

        var first = driver.Records[0].Record;
        var second = driver.Records[1].Record;
        Assert.NotSame(first.RequestHeaders, second.RequestHeaders);
        Assert.Equal(expected, Fields(second.RequestHeaders));
        Assert.Equal(["Host=api", "Accept=*/*", "X-Id=1"], Fields(first.RequestHeaders));
    }

    [Fact]
    public void ARepeatedHeadAfterADifferentOne_IsReadAgainstTheLatestHead()
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\nX-Id: 1\r\n\r\n");
        driver.Receive(Response);
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\nX-Id: 2\r\n\r\n");
        driver.Receive(Response);
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\nX-Id: 2\r\n\r\n");
        driver.Receive(Response);

        var records = driver.Records.ConvertAll(r => r.Record);
        Assert.Equal("1", records[0].RequestHeaders["X-Id"]);
        Assert.Equal("2", records[1].RequestHeaders["X-Id"]);
        Assert.Same(records[1].RequestHeaders, records[2].RequestHeaders);
    }

    [Fact]
    public void RecordsKeepTheirBodiesAndTimes_AfterManyLaterExchanges()
    {
        var driver = new ParserDriver();
        var start = new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 50; i++)
        {
            var requestBody = $"request {i}";
            var responseBody = new string((char)('a' + (i % 26)), i + 1);
            driver.Send($"POST /submit/{i} HTTP/1.1\r\nHost: api\r\nContent-Length: {requestBody.Length}\r\n\r\n{requestBody}", start.AddMilliseconds(2 * i));
            var response = i % 2 == 0
                ? $"HTTP/1.1 201 Created\r\nContent-Length: {responseBody.Length}\r\n\r\n{responseBody}"
                : $"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{responseBody.Length:x}\r\n{responseBody}\r\n0\r\n\r\n";
            driver.Receive(response, start.AddMilliseconds((2 * i) + 1));
        }

        Assert.Equal(50, driver.Records.Count);
        for (var i = 0; i < 50; i++)
        {
            var view = driver.Records[i];
            Assert.Equal($"/submit/{i}", view.Record.Target);
            Assert.Equal("POST", view.Record.Method);
            Assert.Equal($"request {i}", view.RequestBodyText);
            Assert.Equal(new string((char)('a' + (i % 26)), i + 1), view.ResponseBodyText);
            Assert.Equal(i + 1, view.Record.ResponseBodySize);
            Assert.Equal(i % 2 == 0 ? 201 : 200, view.Record.StatusCode);
            Assert.Equal(start.AddMilliseconds(2 * i), view.Record.RequestTime);
            Assert.Equal(start.AddMilliseconds((2 * i) + 1), view.Record.ResponseTime);
            Assert.False(view.Record.DataLost);
        }
    }

    [Fact]
    public void AResponseBeforeItsRequestsBodyEnds_LeavesTheRequestToFinish_AndTheNextExchangeIsWhole()
    {
        var driver = new ParserDriver();
        driver.Send("POST /upload HTTP/1.1\r\nHost: api\r\nContent-Length: 10\r\n\r\nhello");
        driver.Receive("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n\r\nbig!");
        driver.Send("world");
        driver.Send("GET /next HTTP/1.1\r\nHost: api\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");

        Assert.Equal(2, driver.Records.Count);
        var early = driver.Records[0];
        Assert.Equal("/upload", early.Record.Target);
        Assert.Equal(413, early.Record.StatusCode);
        Assert.Equal("hello", early.RequestBodyText);
        Assert.Equal("big!", early.ResponseBodyText);
        var next = driver.Records[1];
        Assert.Equal("GET", next.Record.Method);
        Assert.Equal("/next", next.Record.Target);
        Assert.Equal(0, next.Record.RequestBodySize);
        Assert.Equal("next", next.ResponseBodyText);
        Assert.False(next.Record.DataLost);
    }

    [Fact]
    public void UnansweredResponses_WhileARequestBodyIsStillComing_DoNotTakeThatRequestsPlace()
    {
        var driver = new ParserDriver();
        driver.Send("POST /upload HTTP/1.1\r\nHost: api\r\nContent-Length: 10\r\n\r\nhello");
        driver.Receive("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n\r\nbig!");
        driver.Receive("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nerr");
        driver.Receive("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");
        driver.Send("world");
        driver.Send("GET /next HTTP/1.1\r\nHost: api\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");

        Assert.Equal([413, 500, 503, 200], driver.Records.ConvertAll(r => r.Record.StatusCode ?? 0));
        Assert.Equal("/upload", driver.Records[0].Record.Target);
        Assert.Equal("hello", driver.Records[0].RequestBodyText);
        Assert.Null(driver.Records[1].Record.Target);
        Assert.Equal("err", driver.Records[1].ResponseBodyText);
        Assert.Equal("busy", driver.Records[2].ResponseBodyText);
        Assert.Equal("/next", driver.Records[3].Record.Target);
        Assert.Equal("next", driver.Records[3].ResponseBodyText);
    }

    [Fact]
    public void ADeclinedUpgrade_LeavesTheConnectionHttp_AndLaterRecordsAreWhole()
    {
        var driver = new ParserDriver();
        driver.Send("GET /chat HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno");
        for (var i = 0; i < 3; i++)
        {
            driver.Send($"GET /plain/{i} HTTP/1.1\r\nHost: api\r\n\r\n");
            driver.Receive(Response);
        }

        Assert.Equal(["/chat", "/plain/0", "/plain/1", "/plain/2"], driver.Records.ConvertAll(r => r.Record.Target!));
        Assert.Equal("websocket", driver.Records[0].Record.RequestHeaders["Upgrade"]);
        Assert.Equal("no", driver.Records[0].ResponseBodyText);
        Assert.All(driver.Records.Skip(1), r => Assert.Equal("ok", r.ResponseBodyText));
        Assert.All(driver.Records, r => Assert.False(r.Record.DataLost));
    }

    [Fact]
    public void PipelinedRequests_EachKeepTheirOwnFields()
    {
        var driver = new ParserDriver();
        driver.Send("GET /one HTTP/1.1\r\nHost: api\r\n\r\nGET /two HTTP/1.1\r\nHost: api\r\nX-Two: 2\r\n\r\nHEAD /three HTTP/1.1\r\nHost: api\r\n\r\n");
        driver.Receive(Response + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
        driver.Send("GET /four HTTP/1.1\r\nHost: api\r\n\r\n");
        driver.Receive(Response);

        Assert.Equal(["/one", "/two", "/three", "/four"], driver.Records.ConvertAll(r => r.Record.Target!));
        Assert.Equal([200, 404, 200, 200], driver.Records.ConvertAll(r => r.Record.StatusCode ?? 0));
        Assert.Equal("2", driver.Records[1].Record.RequestHeaders["X-Two"]);
        Assert.False(driver.Records[0].Record.RequestHeaders.Contains("X-Two"));
        Assert.Equal("HEAD", driver.Records[2].Record.Method);
        Assert.Equal(0, driver.Records[2].Record.ResponseBodySize);
        Assert.Equal("ok", driver.Records[3].ResponseBodyText);
    }

    private static List<string> Fields(HttpHeaders headers)
    {
        var fields = new List<string>();
        foreach (var field in headers)
        {
            fields.Add($"{field.Key}={field.Value}");
        }

        return fields;
    }
}
