using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Kafka;

/// <summary>However a stream is cut into pieces, the records must be those of the whole delivery.</summary>
public sealed class KafkaParserSplitTests
{
    private static readonly (StreamDirection Direction, byte[] Bytes)[] Conversation = KafkaSamples.EveryApi();

    public static TheoryData<int> Deliveries => [.. Enumerable.Range(0, Conversation.Length)];

    [Theory]
    [MemberData(nameof(Deliveries))]
    public void Every_split_point_gives_the_same_records(int delivery)
    {
        string expected = Run(-1, 0, multiSegment: false);
        Assert.Contains("OffsetFetch", expected, StringComparison.Ordinal);
        ConversationSplits.AssertEveryCutGivesTheSame(expected, delivery, Conversation[delivery].Bytes.Length, (cut, at) => Run(cut, at, multiSegment: false));
    }

    [Fact]
    public void One_byte_at_a_time_and_multi_segment_give_the_same_records()
    {
        string expected = Run(-1, 0, multiSegment: false);
        Assert.Equal(expected, Run(-1, 0, multiSegment: true));
        Assert.Equal(expected, RunByteByByte(multiSegment: false));
        Assert.Equal(expected, RunByteByByte(multiSegment: true));
    }

    private static string Run(int splitDelivery, int splitAt, bool multiSegment)
    {
        var driver = KafkaSamples.Driver(multiSegment: multiSegment);
        ConversationSplits.Feed(driver, Conversation, splitDelivery, splitAt);
        Assert.Equal(0, driver.InvalidCount);
        return string.Join("\n", driver.Records().Select(KafkaSamples.Describe));
    }

    private static string RunByteByByte(bool multiSegment)
    {
        var driver = KafkaSamples.Driver(multiSegment: multiSegment);
        ConversationSplits.FeedByteByByte(driver, Conversation);
        return string.Join("\n", driver.Records().Select(KafkaSamples.Describe));
    }
}
