namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>Lost bytes: absorbed inside bodies of known length, otherwise records come out marked lost, never mispaired.</summary>
public sealed class HttpParserGapTests
{
    private static readonly DateTimeOffset T0 = RecordingParseContext.Epoch;

    [Fact]
    public void GapInsideContentLengthBody_IsAbsorbed_SizeCounts_BodyKeepsThePrefix()
    {
        var driver = new ParserDriver();
        driver.Send("GET / HTTP/1.1\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n12345");
        driver.Gap(StreamDirection.Ingress, 10);
        driver.Receive("abcde" + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

        var first = driver.Records[0];
        Assert.Equal(("12345", 20L, true, false), (first.ResponseBodyText, first.Record.ResponseBodySize, first.Record.ResponseBodyTruncated, first.Record.DataLost));

        // The response after the absorbed gap is read at the right place (its request is unknown).
        Assert.Equal(2, driver.Records.Count);
        Assert.Equal(200, driver.Records[1].Record.StatusCode);
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void GapInsideChunkData_IsAbsorbed()
    {
        var driver = new ParserDriver();
        driver.Send("GET / HTTP/1.1\r\n\r\n");
        driver.Receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n012");
        driver.Gap(StreamDirection.Ingress, 5);
        driver.Receive("89\r\n3\r\nabc\r\n0\r\n\r\n");

        var record = Assert.Single(driver.Records).Record;
        Assert.Equal((13L, true, false), (record.ResponseBodySize, record.ResponseBodyTruncated, record.DataLost));
        Assert.Equal("012", new HttpRecordView(record).ResponseBodyText);
    }

    [Fact]
    public void GapInReadUntilCloseBody_IsAbsorbed()
    {
        var driver = new ParserDriver();
        driver.Send("GET / HTTP/1.0\r\n\r\n");
        driver.Receive("HTTP/1.0 200 OK\r\n\r\nabc");
        driver.Gap(StreamDirection.Ingress, 1000);
        driver.Receive("xyz");
        driver.Complete();

        var record = Assert.Single(driver.Records).Record;
        Assert.Equal((1006L, "abc", false), (record.ResponseBodySize, new HttpRecordView(record).ResponseBodyText, record.DataLost));
    }

    [Fact]
    public void GapInResponseHead_MarksLost_AndResyncsOnTheNextResponse()
    {
        var driver = new ParserDriver();
        driver.Send("GET /1 HTTP/1.1\r\n\r\n", T0.AddMilliseconds(1));
        driver.Receive("HTTP/1.1 200 OK\r\nContent-", T0.AddMilliseconds(2));
        driver.Gap(StreamDirection.Ingress, 50);
        driver.Receive("tail of the lost response body", T0.AddMilliseconds(3));
        driver.Send("GET /2 HTTP/1.1\r\n\r\n", T0.AddMilliseconds(4));
        driver.Receive("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", T0.AddMilliseconds(5));

        Assert.Equal(2, driver.Records.Count);
        var lost = driver.Records[0].Record;
        Assert.Equal(("/1", (int?)null, true), (lost.Target, lost.StatusCode, lost.DataLost));
        var next = driver.Records[1];
        Assert.Equal(("/2", 201, "ok", false), (next.Record.Target, next.Record.StatusCode, next.ResponseBodyText, next.Record.DataLost));
    }

    [Fact]
    public void GapInRequestStream_ResponsesOfLostRequestsAreNotPairedWithLaterRequests()
    {
        var driver = new ParserDriver();
        driver.Send("GET /1 HTTP/1.1\r\n\r\n", T0.AddMilliseconds(1));
        driver.Gap(StreamDirection.Egress, 40, T0.AddMilliseconds(2));

        // The response to the lost request arrives before the next known request was sent.
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", T0.AddMilliseconds(3));
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", T0.AddMilliseconds(4));
        driver.Send("GET /3 HTTP/1.1\r\n\r\n", T0.AddMilliseconds(5));
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n3", T0.AddMilliseconds(6));

        Assert.Collection(
            driver.Records,
            r => Assert.Equal(("/1", "1", false), (r.Record.Target, r.ResponseBodyText, r.Record.DataLost)),
            r => Assert.Equal(((string?)null, "2", true), (r.Record.Target, r.ResponseBodyText, r.Record.DataLost)),
            r => Assert.Equal(("/3", "3", false), (r.Record.Target, r.ResponseBodyText, r.Record.DataLost)));
    }

    [Fact]
    public void GapInRequestHead_LosesThatRequest_AndResyncSkipsItsRest()
    {
        var driver = new ParserDriver();
        driver.Send("GET /1 HTTP/1.1\r\nHo", T0.AddMilliseconds(1));
        driver.Gap(StreamDirection.Egress, 7);
        driver.Send("ET /not-a-request HTTP/1.1\r\nX: y\r\n\r\nGET /2 HTTP/1.1\r\n\r\n", T0.AddMilliseconds(2));
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", T0.AddMilliseconds(3));

        var record = Assert.Single(driver.Records).Record;
        Assert.Equal(("/2", "a"), (record.Target, new HttpRecordView(record).ResponseBodyText));
    }

    [Fact]
    public void GapPastTheEndOfAKnownBody_FinishesThatMessage_AndMarksWhatFollowsLost()
    {
        var driver = new ParserDriver();
        driver.Send("POST /1 HTTP/1.1\r\nContent-Length: 4\r\n\r\nab", T0.AddMilliseconds(1));
        driver.Gap(StreamDirection.Egress, 100, T0.AddMilliseconds(2));
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", T0.AddMilliseconds(3));

        var record = Assert.Single(driver.Records).Record;
        Assert.Equal(("/1", 4L, true, 200, false), (record.Target, record.RequestBodySize, record.RequestBodyTruncated, record.StatusCode, record.DataLost));
    }

    [Fact]
    public void GapInChunkSizeLine_CutsTheResponseAsLost()
    {
        var driver = new ParserDriver();
        driver.Send("GET / HTTP/1.1\r\n\r\n", T0);
        driver.Receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", T0.AddMilliseconds(1));
        driver.Gap(StreamDirection.Ingress, 3);

        var record = Assert.Single(driver.Records).Record;
        Assert.Equal((200, true, "hello"), (record.StatusCode, record.DataLost, new HttpRecordView(record).ResponseBodyText));
    }

    [Fact]
    public void ResponseGap_WithPipelining_DoesNotGuessThePairing()
    {
        var driver = new ParserDriver();
        driver.Send("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n", T0.AddMilliseconds(1));
        driver.Receive("HTTP/1.1 200 OK\r\nContent-", T0.AddMilliseconds(2));
        driver.Gap(StreamDirection.Ingress, 80);
        driver.Receive("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", T0.AddMilliseconds(3));

        // Which of /1../3 "x" answers is unknowable: nothing is paired, everything is marked lost.
        Assert.Equal(4, driver.Records.Count);
        Assert.All(driver.Records, r => Assert.True(r.Record.DataLost));
        Assert.All(driver.Records, r => Assert.False(r.Record.Target is not null && r.Record.StatusCode is not null));
    }
}
