using System.Text;
using Ebpf.ProtocolTracing.Postgres;
using static Ebpf.ProtocolTracing.Parsers.Tests.Postgres.PostgresWire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Postgres;

/// <summary>Garbage, truncation, gaps, joining mid-stream and redaction.</summary>
public sealed class PostgresParserRobustnessTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    public void Random_bytes_never_throw_and_state_stays_bounded(int seed)
    {
        var random = new Random(seed);
        foreach (var role in new[] { ConnectionRole.Client, ConnectionRole.Unknown })
        {
            var options = new PostgresParserOptions { MaxPendingRequests = 16, MaxCachedStatements = 8 };
            var feeder = new PostgresFeeder(role, options);
            for (int i = 0; i < 300; i++)
            {
                var piece = new byte[random.Next(1, 200)];
                random.NextBytes(piece);
                if (random.Next(4) == 0)
                {
                    // Mix in real messages so deeper states are reached too.
                    piece = Concat(piece, random.Next(2) == 0 ? Parse($"s{i}", "select 1", 23) : Bind("", $"s{i}", (true, Int32(i))), Execute(), Sync());
                }

                feeder.Feed(random.Next(2) == 0 ? StreamDirection.Egress : StreamDirection.Ingress, piece);
                if (random.Next(20) == 0)
                {
                    feeder.Gap(random.Next(2) == 0 ? StreamDirection.Egress : StreamDirection.Ingress, random.Next(1, 5000));
                }
            }

            var parser = (PostgresConnectionParser)feeder.Parser;
            Assert.True(parser.PendingCount <= 16, $"pending {parser.PendingCount}");
            Assert.True(parser.CachedStatementCount <= 8, $"cached {parser.CachedStatementCount}");
            feeder.Complete();
        }
    }

    [Fact]
    public void Every_truncation_of_a_conversation_is_handled_without_error()
    {
        var bytes = Concat(PostgresConversations.PreparedTwice().Where(c => c.FromClient).Select(c => c.Bytes).ToArray());
        for (int length = 0; length <= bytes.Length; length++)
        {
            var feeder = new PostgresFeeder();
            feeder.Client(bytes[..length]);
            feeder.Complete();
            Assert.Equal(0, feeder.InvalidCount);
            Assert.True(feeder.Records.Count <= 2);
        }
    }

    [Fact]
    public void Secrets_never_reach_a_record()
    {
        var conversation = PostgresConversations.StartupWithMd5();
        var feeder = PostgresParserExchangeTests.Run(conversation);
        var dump = PostgresParserSplitTests.Describe(feeder) + string.Join("\n", feeder.Records.Select(r => r.ToString() + r.Credential + r.Resource + r.Outcome));
        Assert.DoesNotContain(PostgresConversations.Secret, dump, StringComparison.Ordinal);
        Assert.DoesNotContain("987654", dump, StringComparison.Ordinal); // the cancel secret key
        foreach (var record in feeder.Records)
        {
            foreach (var property in typeof(PostgresRecord).GetProperties())
            {
                var value = property.GetValue(record);
                Assert.DoesNotContain(PostgresConversations.Secret, value?.ToString() ?? "", StringComparison.Ordinal);
            }
        }

        // With redaction off, the same bytes do show: the test above is not vacuous.
        var open = PostgresParserExchangeTests.Run(conversation, new PostgresParserOptions { RedactSecrets = false });
        Assert.Contains(PostgresConversations.Secret, open.Records[1].Credential, StringComparison.Ordinal);
    }

    [Fact]
    public void Sasl_responses_are_redacted()
    {
        var feeder = new PostgresFeeder();
        feeder.Client(Startup(("user", "bob")), 1);
        feeder.Server(Message('R', Int32(10), CString("SCRAM-SHA-256"), [0]), 2);
        feeder.Client(Message('p', CString("SCRAM-SHA-256"), Int32(32), Encoding.ASCII.GetBytes("n,,n=,r=" + PostgresConversations.Secret)), 3);
        feeder.Server(Message('R', Int32(11), Encoding.ASCII.GetBytes("r=abc,s=salt,i=4096")), 4);
        feeder.Client(Message('p', Encoding.ASCII.GetBytes("c=biws,r=abc,p=" + PostgresConversations.Secret)), 5);
        feeder.Server(Concat(Message('R', Int32(12), "v=xyz"u8.ToArray()), AuthenticationOk(), ReadyForQuery()), 6);

        var startup = Assert.Single(feeder.Records);
        Assert.Equal("SASL SCRAM-SHA-256", startup.AuthenticationMethod);
        Assert.Equal(PostgresParserOptions.RedactedValue, startup.Credential);
        Assert.DoesNotContain(PostgresConversations.Secret, PostgresParserSplitTests.Describe(feeder), StringComparison.Ordinal);
    }

    [Fact]
    public void A_parser_created_mid_stream_finds_the_next_message_and_shows_unknown_statements_as_unknown()
    {
        // The statement "s1" was prepared before the join; the join lands inside a Bind.
        var earlier = Bind("", "s0", (false, "zzz"u8.ToArray()));
        var feeder = new PostgresFeeder(ConnectionRole.Unknown);
        feeder.Client(Concat(earlier[7..], Execute(), Sync()), 1);
        feeder.Server(Concat(BindComplete(), CommandComplete("SELECT 1"), ReadyForQuery()), 2);
        feeder.Client(Concat(Bind("", "s1", (false, "5"u8.ToArray())), Execute(), Sync()), 3);
        feeder.Server(Concat(BindComplete(), DataRow("x"), CommandComplete("SELECT 1"), ReadyForQuery()), 4);
        feeder.Client(Query("select now()"), 5);
        feeder.Server(Concat(RowDescription("now"), DataRow("2026"), CommandComplete("SELECT 1"), ReadyForQuery()), 6);

        var records = feeder.Records;
        var later = records.Where(r => r.RequestTime >= RecordingEpoch(3)).ToList();
        Assert.Equal(2, later.Count);
        Assert.Equal(PostgresCommand.Execute, later[0].Command);
        Assert.Null(later[0].Statement);
        Assert.Equal("s1", later[0].StatementName);
        Assert.Equal(["5"], later[0].Parameters);
        Assert.Equal(1, later[0].RowsReturned);
        Assert.Equal(ConnectionRole.Client, later[0].Role);
        Assert.Equal("select now()", later[1].Statement);
        Assert.Equal("SELECT 1", later[1].CommandTag);
    }

    [Fact]
    public void A_server_side_join_matches_answers_by_time_and_infers_the_role()
    {
        var feeder = new PostgresFeeder(ConnectionRole.Unknown);
        // The server's answer to a query sent before the join arrives first; then a new query and its answer.
        feeder.Feed(StreamDirection.Egress, Concat(DataRow("old"), CommandComplete("SELECT 9"), ReadyForQuery()), 1);
        feeder.Feed(StreamDirection.Ingress, Query("select 2"), 2);
        feeder.Feed(StreamDirection.Egress, Concat(RowDescription("a"), DataRow("2"), CommandComplete("SELECT 1"), ReadyForQuery()), 3);

        var record = Assert.Single(feeder.Records);
        Assert.Equal(ConnectionRole.Server, record.Role);
        Assert.Equal("select 2", record.Statement);
        Assert.Equal("SELECT 1", record.CommandTag);
    }

    [Fact]
    public void A_gap_inside_a_row_is_absorbed()
    {
        var feeder = new PostgresFeeder();
        feeder.Client(Query("select big"), 1);
        var row = DataRow(new string('x', 10_000));
        feeder.Server(Concat(RowDescription("b"), row[..100]), 2);
        feeder.Gap(StreamDirection.Ingress, row.Length - 200);
        feeder.Server(Concat(row[^100..], CommandComplete("SELECT 1"), ReadyForQuery()), 3);

        var record = Assert.Single(feeder.Records);
        Assert.False(record.DataLost);
        Assert.Equal(1, record.RowsReturned);
        Assert.Equal("SELECT 1", record.CommandTag);
    }

    [Fact]
    public void A_gap_between_messages_marks_the_exchange_lost_and_later_ones_parse()
    {
        var feeder = new PostgresFeeder();
        feeder.Client(Query("select 1"), 1);
        feeder.Server(RowDescription("a"), 2);
        feeder.Gap(StreamDirection.Ingress, 37);
        feeder.Server(Concat(DataRow("1"), CommandComplete("SELECT 1"), ReadyForQuery()), 3);
        feeder.Client(Query("select 2"), 4);
        feeder.Server(Concat(RowDescription("a"), DataRow("2"), CommandComplete("SELECT 1"), ReadyForQuery()), 5);

        var records = feeder.Records;
        Assert.Equal(2, records.Count);
        Assert.True(records[0].DataLost);
        Assert.Equal("select 1", records[0].Statement);
        Assert.False(records[1].DataLost);
        Assert.Equal("select 2", records[1].Statement);
        Assert.Equal(1, records[1].RowsReturned);

        // A request-side gap: the lost request's answer is not given to the next one.
        feeder.Client(Query("select 3")[..4], 6);
        feeder.Gap(StreamDirection.Egress, 20);
        feeder.Client(Query("select 4"), 7);
        feeder.Server(Concat(CommandComplete("SELECT 3"), ReadyForQuery()), 8);
        feeder.Server(Concat(CommandComplete("SELECT 4"), ReadyForQuery()), 9);
        var last = feeder.Records[^1];
        Assert.Equal("select 4", last.Statement);
        Assert.Equal("SELECT 4", last.CommandTag);
    }

    [Fact]
    public void Frame_start_needs_a_chain_of_messages()
    {
        var feeder = new PostgresFeeder();
        var parser = feeder.Parser;
        var valid = Concat(DataRow("1"), CommandComplete("SELECT 1"), ReadyForQuery());
        // 'D' followed by a length that fits, but what follows is not a message.
        byte[] decoy = [(byte)'D', 0, 0, 0, 6, 0, 1, 0xFF, 0xFF, 0xFF, 0x7F];
        var data = new System.Buffers.ReadOnlySequence<byte>(Concat(decoy, valid));
        Assert.True(parser.TryFindFrameStart(StreamDirection.Ingress, data, out var start));
        Assert.Equal(decoy.Length, data.Slice(0, start).Length);

        Assert.False(parser.TryFindFrameStart(StreamDirection.Ingress, new System.Buffers.ReadOnlySequence<byte>("\xff\xff\xff"u8.ToArray()), out _));
    }

    [Fact]
    public void Inference_scores_startup_and_queries_and_rejects_http()
    {
        var parser = new PostgresParser();
        Assert.Equal(100, parser.Infer(Startup(("user", "a")), StreamDirection.Egress));
        Assert.Equal(100, parser.Infer(SslRequest(), StreamDirection.Egress));
        Assert.Equal(100, parser.Infer(Query("select 1"), StreamDirection.Egress));
        Assert.True(parser.Infer(Concat(Parse("", "select 1"), Bind("", ""), Execute(), Sync()), StreamDirection.Egress) >= 50);
        Assert.True(parser.Infer(ReadyForQuery(), StreamDirection.Ingress) >= 50);
        Assert.Equal(0, parser.Infer("POST / HTTP/1.1\r\n\r\n"u8, StreamDirection.Egress));
        Assert.Equal(0, parser.Infer("GET / HTTP/1.1\r\n\r\n"u8, StreamDirection.Egress));
        Assert.Equal(0, parser.Infer(""u8, StreamDirection.Egress));
    }

    private static DateTimeOffset RecordingEpoch(int ms) => Http.RecordingParseContext.Epoch.AddMilliseconds(ms);
}
