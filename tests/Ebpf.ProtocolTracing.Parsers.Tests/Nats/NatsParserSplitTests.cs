using System.Text;
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
        var conversation = Conversations[name];
        string expected = Run(conversation, -1, 0, multiSegment: false);
        Assert.NotEqual(string.Empty, expected);
        for (int delivery = 0; delivery < conversation.Length; delivery++)
        {
            int length = Encoding.UTF8.GetByteCount(conversation[delivery].Text);
            for (int at = 0; at <= length; at++)
            {
                string actual = Run(conversation, delivery, at, multiSegment: false);
                Assert.True(expected == actual, $"{name}: delivery {delivery} split at {at}\nexpected {expected}\nactual   {actual}");
            }
        }
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

    private static string Run((StreamDirection Direction, string Text)[] conversation, int splitDelivery, int splitAt, bool multiSegment)
    {
        var driver = NatsWire.Driver(multiSegment: multiSegment);
        for (int i = 0; i < conversation.Length; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(conversation[i].Text);
            var time = RecordingParseContext.Epoch.AddMilliseconds(i);
            if (i == splitDelivery)
            {
                driver.Feed(conversation[i].Direction, bytes.AsSpan(0, splitAt), time);
                driver.Feed(conversation[i].Direction, bytes.AsSpan(splitAt));
            }
            else
            {
                driver.Feed(conversation[i].Direction, bytes, time);
            }
        }

        driver.Complete();
        Assert.Equal(0, driver.InvalidCount);
        return driver.DescribeAll();
    }

    private static string RunByteByByte((StreamDirection Direction, string Text)[] conversation, bool multiSegment)
    {
        var driver = NatsWire.Driver(multiSegment: multiSegment);
        for (int i = 0; i < conversation.Length; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(conversation[i].Text);
            var time = RecordingParseContext.Epoch.AddMilliseconds(i);
            for (int b = 0; b < bytes.Length; b++)
            {
                driver.Feed(conversation[i].Direction, bytes.AsSpan(b, 1), b == 0 ? time : null);
            }
        }

        driver.Complete();
        return driver.DescribeAll();
    }
}
