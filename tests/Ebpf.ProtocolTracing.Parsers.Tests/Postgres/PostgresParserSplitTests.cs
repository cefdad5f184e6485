using Ebpf.ProtocolTracing.Postgres;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Postgres;

/// <summary>However a stream is cut into pieces, the records are those of the whole delivery.</summary>
public sealed class PostgresParserSplitTests
{
    public static TheoryData<string> ConversationNames => [.. Conversations.Keys];

    private static readonly Dictionary<string, Func<(bool FromClient, byte[] Bytes)[]>> Conversations = new()
    {
        ["startup-md5"] = PostgresConversations.StartupWithMd5,
        ["simple"] = PostgresConversations.SimpleQueries,
        ["prepared"] = PostgresConversations.PreparedTwice,
        ["pipeline-error"] = PostgresConversations.PipelineWithError,
    };

    [Theory]
    [MemberData(nameof(ConversationNames))]
    public void Every_split_point_gives_the_same_records(string name)
    {
        var conversation = Conversations[name]();
        string expected = Run(conversation, -1, 0, multiSegment: false);
        Assert.NotEqual("", expected);
        for (int delivery = 0; delivery < conversation.Length; delivery++)
        {
            for (int at = 0; at <= conversation[delivery].Bytes.Length; at++)
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
        var conversation = Conversations[name]();
        string expected = Run(conversation, -1, 0, multiSegment: false);
        Assert.Equal(expected, Run(conversation, -1, 0, multiSegment: true));

        var feeder = new PostgresFeeder(multiSegment: true);
        int ms = 0;
        foreach (var (fromClient, bytes) in conversation)
        {
            ms += 10;
            for (int i = 0; i < bytes.Length; i++)
            {
                feeder.Feed(fromClient ? StreamDirection.Egress : StreamDirection.Ingress, bytes.AsSpan(i, 1), i == 0 ? ms : null);
            }
        }

        Assert.Equal(expected, Describe(feeder));
    }

    private static string Run((bool FromClient, byte[] Bytes)[] conversation, int splitDelivery, int splitAt, bool multiSegment)
    {
        var feeder = new PostgresFeeder(multiSegment: multiSegment);
        int ms = 0;
        for (int i = 0; i < conversation.Length; i++)
        {
            ms += 10;
            var (fromClient, bytes) = conversation[i];
            var direction = fromClient ? StreamDirection.Egress : StreamDirection.Ingress;
            if (i == splitDelivery)
            {
                feeder.Feed(direction, bytes.AsSpan(0, splitAt), ms);
                feeder.Feed(direction, bytes.AsSpan(splitAt));
            }
            else
            {
                feeder.Feed(direction, bytes, ms);
            }
        }

        Assert.Equal(0, feeder.InvalidCount);
        return Describe(feeder);
    }

    internal static string Describe(PostgresFeeder feeder) =>
        string.Join("\n", feeder.Records.Select(r => r with { Connection = r.Connection }).Select(r =>
            $"{r} | {r.Statement} | {string.Join(",", r.Parameters)} | {r.CommandTag} | {r.RowsReturned} | {r.RowsAffected} | {r.Error} | {r.User} | {r.Credential} | {r.RequestTime:O} | {r.ResponseTime:O} | {r.DataLost}"));
}
