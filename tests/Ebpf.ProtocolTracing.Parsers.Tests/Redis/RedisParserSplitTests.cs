using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Redis;

/// <summary>Whatever way a stream is cut into pieces, the records must be those of the whole delivery.</summary>
public sealed class RedisParserSplitTests
{
    private static readonly Dictionary<string, (StreamDirection Direction, string Text)[]> Conversations = new()
    {
        ["pipelined"] =
        [
            (StreamDirection.Egress, Resp.Command("SET", "a", "hello world") + Resp.Command("GET", "a") + Resp.Command("DEL", "x") + "PING\r\n"),
            (StreamDirection.Ingress, "+OK\r\n$11\r\nhello world\r\n:0\r\n+PONG\r\n"),
        ],
        ["resp3-types"] =
        [
            (StreamDirection.Egress, Resp.Command("HELLO", "3", "AUTH", "default", "s3cret") + Resp.Command("X")),
            (StreamDirection.Ingress, "%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n" +
                "|1\r\n+ttl\r\n:3\r\n*7\r\n_\r\n#t\r\n,1.5\r\n(12345678901234567890\r\n!3\r\nERR\r\n=7\r\ntxt:abc\r\n~1\r\n>1\r\n:1\r\n"),
        ],
        ["pubsub"] =
        [
            (StreamDirection.Egress, Resp.Command("SUBSCRIBE", "a", "b")),
            (StreamDirection.Ingress, "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$3\r\nmsg\r\n"),
        ],
        ["multi"] =
        [
            (StreamDirection.Egress, Resp.Command("MULTI") + Resp.Command("INCR", "n") + Resp.Command("EXEC")),
            (StreamDirection.Ingress, "+OK\r\n+QUEUED\r\n*1\r\n:1\r\n"),
        ],
    };

    public static TheoryData<string> ConversationNames => [.. Conversations.Keys];

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
        string expected = Run(conversation, -1, 0, multiSegment: false);
        Assert.Equal(expected, Run(conversation, -1, 0, multiSegment: true));
        Assert.Equal(expected, RunByteByByte(conversation, multiSegment: false));
        Assert.Equal(expected, RunByteByByte(conversation, multiSegment: true));
    }

    private static string Run((StreamDirection Direction, byte[] Bytes)[] conversation, int splitDelivery, int splitAt, bool multiSegment)
    {
        var driver = Resp.Driver(multiSegment: multiSegment);
        ConversationSplits.Feed(driver, conversation, splitDelivery, splitAt);
        driver.Complete();
        Assert.Equal(0, driver.InvalidCount);
        return driver.DescribeAll();
    }

    private static string RunByteByByte((StreamDirection Direction, byte[] Bytes)[] conversation, bool multiSegment)
    {
        var driver = Resp.Driver(multiSegment: multiSegment);
        ConversationSplits.FeedByteByByte(driver, conversation);
        driver.Complete();
        return driver.DescribeAll();
    }
}
