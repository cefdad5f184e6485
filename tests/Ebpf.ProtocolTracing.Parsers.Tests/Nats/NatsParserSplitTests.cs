using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Nats;

/// <summary>Whatever way a stream is cut into pieces, the records must be those of the whole delivery.</summary>
public sealed class NatsParserSplitTests
{
    private static readonly Dictionary<string, (StreamDirection Direction, string Text)[]> Conversations = new()
    {
        ["publish-subscribe"] =
        [
            (StreamDirection.Ingress, NatsWire.Info),
            (StreamDirection.Egress, "CONNECT {\"verbose\":false,\"user\":\"u\",\"pass\":\"p\",\"name\":\"c\"}\r\nPING\r\nSUB a.> 1\r\n" +
                NatsWire.Pub("a.b", "payload with spaces", "_INBOX.x") + "UNSUB 1\r\n"),
            (StreamDirection.Ingress, "PONG\r\n" + NatsWire.Msg("a.b", "1", "payload with spaces", "_INBOX.x") + "-ERR 'Unknown Protocol Operation'\r\n"),
        ],
        ["headers"] =
        [
            (StreamDirection.Egress, NatsWire.HPub("h", "NATS/1.0\r\nA: 1\r\n\r\n", "x\r\ny")),
            (StreamDirection.Ingress, NatsWire.HMsg("h", "9", "NATS/1.0 408 Request Timeout\r\nB: 2\r\n\r\n", "")),
        ],
        ["verbose"] =
        [
            (StreamDirection.Egress, "CONNECT {\"verbose\":true}\r\n" + NatsWire.Pub("x", "") + "PING\r\n"),
            (StreamDirection.Ingress, "+OK\r\n+OK\r\nPONG\r\n"),
        ],
    };

    public static TheoryData<string> ConversationNames => [.. Conversations.Keys];

    [Theory]
    [MemberData(nameof(ConversationNames))]
    public void Every_split_point_gives_the_same_records(string name)
    {
        var conversation = ConversationSplits.Utf8(Conversations[name]);
        ConversationSplits.AssertEveryCutGivesTheSame(name, conversation, (delivery, at) => Run(conversation, delivery, at, multiSegment: false));
    }

    [Theory]
    [MemberData(nameof(ConversationNames))]
    public void One_byte_at_a_time_and_multi_segment_give_the_same_records(string name)
    {
        var conversation = ConversationSplits.Utf8(Conversations[name]);
        string expected = Run(conversation, -1, 0, multiSegment: false);
        Assert.Equal(expected, Run(conversation, -1, 0, multiSegment: true));
        Assert.Equal(expected, RunByteByByte(conversation, multiSegment: false));
        Assert.Equal(expected, RunByteByByte(conversation, multiSegment: true));
    }

    private static string Run((StreamDirection Direction, byte[] Bytes)[] conversation, int splitDelivery, int splitAt, bool multiSegment)
    {
        var driver = NatsWire.Driver(multiSegment: multiSegment);
        ConversationSplits.Feed(driver, conversation, splitDelivery, splitAt, ConversationSplits.MillisecondApart);
        driver.Complete();
        Assert.Equal(0, driver.InvalidCount);
        return driver.DescribeAll();
    }

    private static string RunByteByByte((StreamDirection Direction, byte[] Bytes)[] conversation, bool multiSegment)
    {
        var driver = NatsWire.Driver(multiSegment: multiSegment);
        ConversationSplits.FeedByteByByte(driver, conversation, ConversationSplits.MillisecondApart);
        driver.Complete();
        return driver.DescribeAll();
    }
}
