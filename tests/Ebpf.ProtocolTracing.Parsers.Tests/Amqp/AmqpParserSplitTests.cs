using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using static Ebpf.ProtocolTracing.Parsers.Tests.Amqp.AmqpWire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Amqp;

/// <summary>Whatever way a stream is cut into pieces, the records must be those of the whole delivery.</summary>
public sealed class AmqpParserSplitTests
{
    private static readonly Dictionary<string, (StreamDirection Direction, byte[] Bytes)[]> Conversations = new()
    {
        ["handshake-and-close"] =
        [
            (StreamDirection.Egress, ProtocolHeader),
            (StreamDirection.Ingress, ConnectionStart()),
            (StreamDirection.Egress, StartOk("user", "pw")),
            (StreamDirection.Ingress, Tune()),
            (StreamDirection.Egress, Concat(TuneOk(), ConnectionOpen("/"))),
            (StreamDirection.Ingress, Concat(ConnectionOpenOk(), Heartbeat)),
            (StreamDirection.Egress, Concat(ChannelOpen(1), ConnectionClose(200, "bye"))),
            (StreamDirection.Ingress, Concat(ChannelOpenOk(1), ConnectionCloseOk())),
        ],
        ["declare-publish-confirm"] =
        [
            (StreamDirection.Egress, Concat(QueueDeclare(1, "jobs"), ConfirmSelect(1))),
            (StreamDirection.Ingress, Concat(QueueDeclareOk(1, "jobs", 0, 0), ConfirmSelectOk(1))),
            (StreamDirection.Egress, Concat(Message(Publish(1, "", "jobs"), 1, "hello \u00e9", "text/plain", "id-1"), Publish(1, "ex", "k"), Header(1, 6), Body(1, "ab"), Body(1, "cdef"))),
            (StreamDirection.Ingress, Ack(1, 2, multiple: true)),
        ],
        ["consume-get-and-failure"] =
        [
            (StreamDirection.Egress, Concat(Consume(2, "jobs", "c1"), Get(3, "jobs"))),
            (StreamDirection.Ingress, Concat(ConsumeOk(2, "c1"), Message(Deliver(2, "c1", 1, "", "jobs"), 2, "x"), Message(GetOk(3, 1, "", "jobs", 0), 3, "y"))),
            (StreamDirection.Egress, Concat(Ack(2, 1), QueueDeclare(3, "nope", passive: true))),
            (StreamDirection.Ingress, ChannelClose(3, 404, "NOT_FOUND", 50, 10)),
            (StreamDirection.Egress, ChannelCloseOk(3)),
        ],
    };

    public static TheoryData<string> ConversationNames => [.. Conversations.Keys];

    [Theory]
    [MemberData(nameof(ConversationNames))]
    public void Every_split_point_gives_the_same_records(string name)
    {
        var conversation = Conversations[name];
        ConversationSplits.AssertEveryCutGivesTheSame(name, conversation, (delivery, at) => Run(conversation, delivery, at, multiSegment: false));
    }

    [Theory]
    [MemberData(nameof(ConversationNames))]
    public void One_byte_at_a_time_and_multi_segment_give_the_same_records(string name)
    {
        var conversation = Conversations[name];
        string expected = Run(conversation, -1, 0, multiSegment: false);
        Assert.Equal(expected, Run(conversation, -1, 0, multiSegment: true));
        Assert.Equal(expected, RunByteByByte(conversation, multiSegment: false));
        Assert.Equal(expected, RunByteByByte(conversation, multiSegment: true));
    }

    [Fact]
    public void The_conversations_make_the_expected_number_of_records()
    {
        Assert.Equal(5, Run(Conversations["handshake-and-close"], -1, 0, false).Split('\n').Length);
        Assert.Equal(4, Run(Conversations["declare-publish-confirm"], -1, 0, false).Split('\n').Length);
        Assert.Equal(6, Run(Conversations["consume-get-and-failure"], -1, 0, false).Split('\n').Length);
    }

    private static string Run((StreamDirection Direction, byte[] Bytes)[] conversation, int splitDelivery, int splitAt, bool multiSegment)
    {
        var driver = Driver(multiSegment: multiSegment);
        ConversationSplits.Feed(driver, conversation, splitDelivery, splitAt, ConversationSplits.MillisecondApart);
        driver.Complete();
        Assert.Equal(0, driver.InvalidCount);
        return driver.DescribeAll();
    }

    private static string RunByteByByte((StreamDirection Direction, byte[] Bytes)[] conversation, bool multiSegment)
    {
        var driver = Driver(multiSegment: multiSegment);
        ConversationSplits.FeedByteByByte(driver, conversation, ConversationSplits.MillisecondApart);
        driver.Complete();
        return driver.DescribeAll();
    }
}
