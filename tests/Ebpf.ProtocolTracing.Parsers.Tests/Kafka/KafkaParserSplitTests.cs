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
        for (int at = 0; at <= Conversation[delivery].Bytes.Length; at++)
        {
            string actual = Run(delivery, at, multiSegment: false);
            Assert.True(expected == actual, $"delivery {delivery} split at {at}\nexpected {expected}\nactual   {actual}");
        }
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
        for (int i = 0; i < Conversation.Length; i++)
        {
            var (direction, bytes) = Conversation[i];
            if (i == splitDelivery)
            {
                driver.Feed(direction, bytes.AsSpan(0, splitAt));
                driver.Feed(direction, bytes.AsSpan(splitAt));
            }
            else
            {
                driver.Feed(direction, bytes);
            }
        }

        Assert.Equal(0, driver.InvalidCount);
        return string.Join("\n", driver.Records().Select(KafkaSamples.Describe));
    }

    private static string RunByteByByte(bool multiSegment)
    {
        var driver = KafkaSamples.Driver(multiSegment: multiSegment);
        foreach (var (direction, bytes) in Conversation)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                driver.Feed(direction, bytes.AsSpan(i, 1));
            }
        }

        return string.Join("\n", driver.Records().Select(KafkaSamples.Describe));
    }
}
