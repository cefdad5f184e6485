using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>
/// Whatever way a stream is cut into pieces (every byte boundary, one byte at a time, many segments),
/// the records must be exactly those of the whole delivery.
/// </summary>
public sealed class HttpParserSplitTests
{
    public static TheoryData<string> ConversationNames => [.. Conversations.Keys];

    private static readonly Dictionary<string, (StreamDirection Direction, string Text)[]> Conversations = new()
    {
        ["browser-get"] = [(StreamDirection.Egress, HttpSamples.BrowserGet), (StreamDirection.Ingress, HttpSamples.SmallResponse)],
        ["post-chunked"] = [(StreamDirection.Egress, HttpSamples.PostWithBody), (StreamDirection.Ingress, HttpSamples.ChunkedResponse)],
        ["pipelined"] =
        [
            (StreamDirection.Egress, "GET /1 HTTP/1.1\r\n\r\nHEAD /2 HTTP/1.1\r\n\r\nPOST /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nab\r\n0\r\nT: v\r\n\r\n"),
            (StreamDirection.Ingress, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none" + "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n" + HttpSamples.ChunkedResponse),
        ],
        ["continue"] =
        [
            (StreamDirection.Ingress, "PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"),
            (StreamDirection.Egress, "HTTP/1.1 100 Continue\r\n\r\n"),
            (StreamDirection.Ingress, "data"),
            (StreamDirection.Egress, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"),
        ],
        ["no-body-then-close"] =
        [
            (StreamDirection.Egress, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.0\r\n\r\n"),
            (StreamDirection.Ingress, "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil the end"),
        ],
        ["lf-and-fold"] =
        [
            (StreamDirection.Egress, "\r\nGET /lf HTTP/1.1\nX-Fold: a\n\tb\nContent-Length: 2\n\nhi"),
            (StreamDirection.Ingress, "HTTP/1.1 200\nTransfer-Encoding: chunked\n\n1\nx\n0\n\n"),
        ],
        ["upgrade"] =
        [
            (StreamDirection.Egress, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n\x81\x82\x01\x02\x03\x04"),
            (StreamDirection.Ingress, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02hi"),
        ],
    };

    [Theory]
    [MemberData(nameof(ConversationNames))]
    public void EverySplitPoint_GivesTheSameRecords(string name)
    {
        var conversation = ConversationSplits.Utf8(Conversations[name]);
        ConversationSplits.AssertEveryCutGivesTheSame(name, conversation, (delivery, at) => Run(conversation, delivery, at, multiSegment: false));
    }

    [Theory]
    [MemberData(nameof(ConversationNames))]
    public void OneByteAtATime_AndMultiSegment_GiveTheSameRecords(string name)
    {
        var conversation = ConversationSplits.Utf8(Conversations[name]);
        string expected = Run(conversation, splitDelivery: -1, splitAt: 0, multiSegment: false);
        Assert.Equal(expected, Run(conversation, splitDelivery: -1, splitAt: 0, multiSegment: true));
        Assert.Equal(expected, RunByteByByte(conversation, multiSegment: false));
        Assert.Equal(expected, RunByteByByte(conversation, multiSegment: true));
    }

    [Fact]
    public void Conversations_ProduceTheExpectedRecords()
    {
        // The split tests compare against the whole delivery; this pins the whole delivery itself.
        var pipelined = Feed(Conversations["pipelined"], multiSegment: false);
        Assert.Equal(["/1:200:one", "/2:200:", "/3:201:hello, world"], pipelined.Records.Select(r => $"{r.Record.Target}:{r.Record.StatusCode}:{r.ResponseBodyText}"));
        Assert.Equal("ab", pipelined.Records[2].RequestBodyText);

        var noBody = Feed(Conversations["no-body-then-close"], multiSegment: false);
        noBody.Complete();
        Assert.Equal(["/a:204:", "/b:304:", "/c:200:until the end"], noBody.Records.Select(r => $"{r.Record.Target}:{r.Record.StatusCode}:{r.ResponseBodyText}"));

        var lf = Feed(Conversations["lf-and-fold"], multiSegment: false);
        Assert.Equal(("a b", "hi", "x", ""), (lf.Records[0].Record.RequestHeaders["X-Fold"], lf.Records[0].RequestBodyText, lf.Records[0].ResponseBodyText, lf.Records[0].Record.ReasonPhrase));

        var upgrade = Feed(Conversations["upgrade"], multiSegment: false);
        Assert.True(upgrade.Stopped);
        Assert.Equal(101, Assert.Single(upgrade.Records).Record.StatusCode);
    }

    private static ParserDriver Feed((StreamDirection Direction, string Text)[] conversation, bool multiSegment)
    {
        var driver = new ParserDriver(multiSegment: multiSegment);
        ConversationSplits.Feed(driver, ConversationSplits.Utf8(conversation), splitDelivery: -1, splitAt: 0, ConversationSplits.MillisecondApart);
        return driver;
    }

    private static string Run((StreamDirection Direction, byte[] Bytes)[] conversation, int splitDelivery, int splitAt, bool multiSegment)
    {
        var driver = new ParserDriver(multiSegment: multiSegment);
        ConversationSplits.Feed(driver, conversation, splitDelivery, splitAt, ConversationSplits.MillisecondApart);
        return Summarise(driver);
    }

    private static string RunByteByByte((StreamDirection Direction, byte[] Bytes)[] conversation, bool multiSegment)
    {
        var driver = new ParserDriver(multiSegment: multiSegment);
        ConversationSplits.FeedByteByByte(driver, conversation, ConversationSplits.MillisecondApart);
        return Summarise(driver);
    }

    private static string Summarise(ParserDriver driver)
    {
        driver.Complete();
        return $"invalid={driver.InvalidCount} stopped={driver.Stopped}\n" + string.Join("\n", driver.Records.Select(r => r.Dump()));
    }
}
