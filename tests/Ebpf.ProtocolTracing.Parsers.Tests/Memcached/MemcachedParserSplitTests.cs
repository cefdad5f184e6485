using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using System.Text;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Memcached;

/// <summary>Whatever way a stream is cut into pieces, the records must be those of the whole delivery.</summary>
public sealed class MemcachedParserSplitTests
{
    private static readonly Dictionary<string, (StreamDirection Direction, byte[] Bytes)[]> Conversations = new()
    {
        ["text"] =
        [
            (StreamDirection.Egress, Ascii("set k 0 0 4\r\nab\r\n\r\ngets k x\r\ncas k 0 0 1 99 noreply\r\nz\r\nincr n 5\r\n")),
            (StreamDirection.Ingress, Ascii("STORED\r\nVALUE k 0 4 99\r\nab\r\n\r\nEND\r\n6\r\n")),
        ],
        ["meta"] =
        [
            (StreamDirection.Egress, Ascii("mg a v k O1 q\r\nms b 3 q\r\nxyz\r\nma c\r\nmn\r\n")),
            (StreamDirection.Ingress, Ascii("VA 1 ka O1\r\n1\r\nHD\r\nMN\r\n")),
        ],
        ["binary"] =
        [
            (StreamDirection.Egress, MemcachedWire.Concat(MemcachedWire.Binary(true, 0x09, 1, "q1"), MemcachedWire.Binary(true, 0x00, 2, "key", value: ""), MemcachedWire.Binary(true, 0x01, 3, "s", extras: 8, value: "val"))),
            (StreamDirection.Ingress, MemcachedWire.Concat(MemcachedWire.Binary(false, 0x00, 2, extras: 4, value: "value!"), MemcachedWire.Binary(false, 0x01, 3, status: 2))),
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
        foreach (bool multiSegment in new[] { false, true })
        {
            var driver = MemcachedWire.Driver(multiSegment: multiSegment);
            ConversationSplits.FeedByteByByte(driver, conversation, ConversationSplits.MillisecondApart);
            driver.Complete();
            Assert.Equal(expected, driver.DescribeAll());
        }
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static string Run((StreamDirection Direction, byte[] Bytes)[] conversation, int splitDelivery, int splitAt, bool multiSegment)
    {
        var driver = MemcachedWire.Driver(multiSegment: multiSegment);
        ConversationSplits.Feed(driver, conversation, splitDelivery, splitAt, ConversationSplits.MillisecondApart);
        driver.Complete();
        Assert.Equal(0, driver.InvalidCount);
        return driver.DescribeAll();
    }
}
