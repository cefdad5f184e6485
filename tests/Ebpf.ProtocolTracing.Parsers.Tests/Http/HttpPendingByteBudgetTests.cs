using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>
/// Requests waiting for responses are bounded in bytes per connection, not only in count: when the
/// budget would be exceeded the oldest are emitted unanswered and marked as lost.
/// </summary>
public sealed class HttpPendingByteBudgetTests
{
    private const string Response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    [Fact]
    public void PipelinedRequests_OverTheBudget_EvictTheOldest_AsLostRecords()
    {
        var options = new HttpParserOptions { MaxHeaderBytes = 1024, MaxPendingBytesPerConnection = 1024 };
        var driver = new ParserDriver(options);
        var request = Request(1, padding: 290);
        for (int i = 0; i < 4; i++)
        {
            driver.Send(Request(i, padding: 290));
        }

        // Each head is 335 bytes: the fourth cannot join three others within 1024 bytes.
        var parser = Assert.IsType<HttpConnectionParser>(driver.Parser);
        Assert.Equal(1, parser.RequestsEvictedOverByteBudget);
        Assert.Equal(3, parser.PendingRequestCount);
        Assert.True(parser.PendingRequestBytes <= options.MaxPendingBytesPerConnection, $"{parser.PendingRequestBytes} bytes pending");
        Assert.Equal(3 * request.Length, parser.PendingRequestBytes);

        var evicted = Assert.Single(driver.Records).Record;
        Assert.Equal("/items/0", evicted.Target);
        Assert.True(evicted.DataLost);
        Assert.Null(evicted.StatusCode);
    }

    [Fact]
    public void AnsweredRequests_GiveTheirBytesBack()
    {
        var options = new HttpParserOptions { MaxHeaderBytes = 1024, MaxPendingBytesPerConnection = 1024 };
        var driver = new ParserDriver(options);
        for (int i = 0; i < 20; i++)
        {
            driver.Send(Request(i, padding: 290));
            driver.Receive(Response);
        }

        var parser = Assert.IsType<HttpConnectionParser>(driver.Parser);
        Assert.Equal(0, parser.RequestsEvictedOverByteBudget);
        Assert.Equal(0, parser.PendingRequestBytes);
        Assert.Equal(20, driver.Records.Count);
        Assert.All(driver.Records, r => Assert.False(r.Record.DataLost));
    }

    [Fact]
    public void KeptRequestBodies_CountAgainstTheBudget()
    {
        var options = new HttpParserOptions { MaxHeaderBytes = 1024, MaxPendingBytesPerConnection = 1024, MaxBodyBytes = 400 };
        var driver = new ParserDriver(options);
        var body = new string('b', 400);
        var post = $"POST /upload HTTP/1.1\r\nHost: api\r\nContent-Length: {body.Length}\r\n\r\n{body}";
        driver.Send(post);
        driver.Send(post);

        // Two heads (~60 bytes) and two kept bodies (400 bytes) fit; a third body would not.
        var parser = Assert.IsType<HttpConnectionParser>(driver.Parser);
        Assert.Equal(2 * post.Length, parser.PendingRequestBytes);
        driver.Send(post);
        Assert.Equal(1, parser.RequestsEvictedOverByteBudget);
        Assert.True(Assert.Single(driver.Records).Record.DataLost);

        // Responses still pair with the requests that stayed: the evicted one's response passes unpaired.
        driver.Receive(Response + Response + Response);
        Assert.Equal(4, driver.Records.Count);
        Assert.Equal(2, driver.Records.Count(r => r.Record is { Method: "POST", StatusCode: 200, DataLost: false }));
    }

    [Fact]
    public void ABudgetBelowOneHead_IsRejectedAtValidation()
    {
        var options = new HttpParserOptions { MaxHeaderBytes = 4096, MaxPendingBytesPerConnection = 4095 };
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(nameof(HttpParserOptions.MaxPendingBytesPerConnection), error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpParser(options));
    }

    [Fact]
    public void TheBudget_IsCopiedIntoTheParser()
    {
        var options = new HttpParserOptions { MaxHeaderBytes = 1024, MaxPendingBytesPerConnection = 1024 };
        var parser = new HttpParser(options);
        options.MaxPendingBytesPerConnection = long.MaxValue;
        var driver = new ParserDriver(parser);
        for (int i = 0; i < 4; i++)
        {
            driver.Send(Request(i, padding: 290));
        }

        Assert.Equal(1, Assert.IsType<HttpConnectionParser>(driver.Parser).RequestsEvictedOverByteBudget);
    }

    private static string Request(int index, int padding) =>
        $"GET /items/{index} HTTP/1.1\r\nHost: api\r\nX-Pad: {new string('p', padding)}\r\n\r\n";
}
