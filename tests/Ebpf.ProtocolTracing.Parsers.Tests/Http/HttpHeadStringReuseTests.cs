using System.Text;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>
/// Heads on a keep-alive connection reuse the previous head's strings where the bytes repeat: the
/// record must hold exactly what decoding would have made, whatever was reused.
/// </summary>
public sealed class HttpHeadStringReuseTests
{
    private const string Response = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n";

    [Fact]
    public void RepeatedFields_AreTheSameStrings_AndChangedOnesAreNew()
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\nAccept: application/json\r\nX-Id: 1\r\n\r\n");
        driver.Receive(Response);
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\nAccept: text/plain\r\nX-Id: 2\r\n\r\n");
        driver.Receive(Response);

        var first = driver.Records[0].Record;
        var second = driver.Records[1].Record;
        Assert.Same(first.Target, second.Target);
        Assert.Same(first.RequestHeaders[0].Key, second.RequestHeaders[0].Key);
        Assert.Same(first.RequestHeaders[0].Value, second.RequestHeaders[0].Value);
        Assert.Same(first.ResponseHeaders[0].Value, second.ResponseHeaders[0].Value);
        Assert.Same(first.ReasonPhrase, second.ReasonPhrase);
        Assert.Equal("text/plain", second.RequestHeaders["Accept"]);
        Assert.Equal("2", second.RequestHeaders["X-Id"]);
        Assert.Equal("application/json", first.RequestHeaders["Accept"]);
    }

    [Fact]
    public void FieldsInAnotherOrder_OrWithOtherCase_AreDecodedAsSent()
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\nAccept: */*\r\n\r\n");
        driver.Receive(Response);
        driver.Send("GET /b HTTP/1.1\r\nAccept: */*\r\nhost: API\r\n\r\n");
        driver.Receive(Response);

        var second = driver.Records[1].Record;
        Assert.Equal("/b", second.Target);
        Assert.Equal(new KeyValuePair<string, string>("Accept", "*/*"), second.RequestHeaders[0]);
        Assert.Equal(new KeyValuePair<string, string>("host", "API"), second.RequestHeaders[1]);
    }

    [Fact]
    public void NonAsciiValues_AreNeverTakenForTheCachedString()
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\nX-Name: caf?\r\n\r\n");
        driver.Receive(Response);
        driver.Send("GET /a HTTP/1.1\r\nX-Name: café\r\n\r\n");
        driver.Receive(Response);
        driver.Send("GET /a HTTP/1.1\r\nX-Name: café\r\n\r\n");
        driver.Receive(Response);

        Assert.Equal("caf?", driver.Records[0].Record.RequestHeaders["X-Name"]);
        Assert.Equal("café", driver.Records[1].Record.RequestHeaders["X-Name"]);
        Assert.Equal("café", driver.Records[2].Record.RequestHeaders["X-Name"]);
    }

    [Fact]
    public void SecretsStayRedacted_WhenTheFieldRepeats()
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\nAuthorization: Bearer one\r\n\r\n");
        driver.Receive(Response);
        driver.Send("GET /a HTTP/1.1\r\nAuthorization: Bearer two\r\n\r\n");
        driver.Receive(Response);
        driver.Send("GET /a HTTP/1.1\r\nX-Other: Bearer two\r\n\r\n");
        driver.Receive(Response);

        Assert.Equal(HttpParserOptions.RedactedValue, driver.Records[0].Record.RequestHeaders["Authorization"]);
        Assert.Equal(HttpParserOptions.RedactedValue, driver.Records[1].Record.RequestHeaders["Authorization"]);
        Assert.Equal("Bearer two", driver.Records[2].Record.RequestHeaders["X-Other"]);
    }

    [Fact]
    public void AfterAnIdleTrim_TheNextHeadsMakeEqualRecords_AndReuseResumes()
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\nAccept: */*\r\n\r\n");
        driver.Receive(Response);
        ((IIdleTrimmableConnectionParser)driver.Parser).TrimIdle();
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\nAccept: */*\r\n\r\n");
        driver.Receive(Response);
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\nAccept: text/html\r\n\r\n");
        driver.Receive(Response);

        var first = driver.Records[0].Record;
        var second = driver.Records[1].Record;
        var third = driver.Records[2].Record;
        Assert.Equal(first.RequestHeaders, second.RequestHeaders);
        Assert.Equal(first.ResponseHeaders, second.ResponseHeaders);
        Assert.Equal(("/a", "OK"), (second.Target, second.ReasonPhrase));
        Assert.Same(second.Target, third.Target);
        Assert.Same(second.ResponseHeaders[0].Value, third.ResponseHeaders[0].Value);
        Assert.Equal("text/html", third.RequestHeaders["Accept"]);
    }

    [Fact]
    public void ANewConnection_TakesTheStringsOtherConnectionsMade()
    {
        var parser = new HttpParser();
        var one = new ParserDriver(parser);
        var two = new ParserDriver(parser);
        one.Send("GET /a HTTP/1.1\r\nHost: api\r\nAccept: */*\r\n\r\n");
        one.Receive(Response);
        two.Send("GET /a HTTP/1.1\r\nAccept: */*\r\nHost: api\r\n\r\n");
        two.Receive(Response);

        var first = one.Records[0].Record;
        var second = two.Records[0].Record;
        Assert.Same(first.Target, second.Target);
        Assert.Same(first.ReasonPhrase, second.ReasonPhrase);
        Assert.Same(first.RequestHeaders[0].Key, second.RequestHeaders[1].Key);
        Assert.Same(first.RequestHeaders[1].Value, second.RequestHeaders[0].Value);
        Assert.Same(first.ResponseHeaders[0].Value, second.ResponseHeaders[0].Value);
    }

    [Fact]
    public void AcrossConnections_NonAsciiAndLongValuesAreDecodedAsSent_AndSecretsStayRedacted()
    {
        var parser = new HttpParser();
        var longValue = new string('x', 65);
        var one = new ParserDriver(parser);
        var two = new ParserDriver(parser);
        one.Send($"GET /a HTTP/1.1\r\nX-Name: caf?\r\nX-Long: {longValue}\r\nAuthorization: Bearer one\r\n\r\n");
        one.Receive(Response);
        two.Send($"GET /a HTTP/1.1\r\nX-Name: café\r\nX-Long: {longValue}\r\nAuthorization: Bearer two\r\n\r\n");
        two.Receive(Response);

        var first = one.Records[0].Record;
        var second = two.Records[0].Record;
        Assert.Equal("caf?", first.RequestHeaders["X-Name"]);
        Assert.Equal("café", second.RequestHeaders["X-Name"]);
        Assert.Equal(longValue, second.RequestHeaders["X-Long"]);
        Assert.NotSame(first.RequestHeaders["X-Long"], second.RequestHeaders["X-Long"]);
        Assert.Equal(HttpParserOptions.RedactedValue, first.RequestHeaders["Authorization"]);
        Assert.Equal(HttpParserOptions.RedactedValue, second.RequestHeaders["Authorization"]);
    }

    [Fact]
    public void AnIdleTrimBetweenARequestAndItsResponse_KeepsThemPaired()
    {
        var driver = new ParserDriver();
        driver.Send("GET /a HTTP/1.1\r\nHost: api\r\n\r\n");
        driver.Send("GET /b HTTP/1.1\r\nHost: api\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
        ((IIdleTrimmableConnectionParser)driver.Parser).TrimIdle();
        driver.Receive("hi");
        driver.Receive("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(["/a", "/b"], driver.Records.Select(r => r.Record.Target));
        Assert.Equal([200, 404], driver.Records.Select(r => r.Record.StatusCode ?? 0));
        Assert.Equal("hi", Encoding.ASCII.GetString(driver.Records[0].Record.ResponseBody.Span));
        Assert.All(driver.Records, r => Assert.False(r.Record.DataLost));
    }
}
