using Ebpf.ProtocolTracing.Postgres;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Postgres;

/// <summary>What each kind of exchange turns into.</summary>
public sealed class PostgresParserExchangeTests
{
    internal static PostgresFeeder Run((bool FromClient, byte[] Bytes)[] conversation, PostgresParserOptions? options = null)
    {
        var feeder = new PostgresFeeder(options: options);
        int ms = 0;
        foreach (var (fromClient, bytes) in conversation)
        {
            ms += 10;
            if (fromClient)
            {
                feeder.Client(bytes, ms);
            }
            else
            {
                feeder.Server(bytes, ms);
            }
        }

        return feeder;
    }

    [Fact]
    public void Ssl_request_refused_then_md5_startup_gives_two_records()
    {
        var records = Run(PostgresConversations.StartupWithMd5()).Records;

        Assert.Equal(2, records.Count);
        var ssl = records[0];
        Assert.Equal(PostgresCommand.SslRequest, ssl.Command);
        Assert.False(ssl.EncryptionAccepted);
        Assert.Equal("refused", ssl.Outcome);

        var startup = records[1];
        Assert.Equal(PostgresCommand.Startup, startup.Command);
        Assert.Equal("3.0", startup.ProtocolVersion);
        Assert.Equal("alice", startup.User);
        Assert.Equal("shop", startup.Database);
        Assert.Equal("psql", startup.ApplicationName);
        Assert.Equal("MD5Password", startup.AuthenticationMethod);
        Assert.Equal(PostgresParserOptions.RedactedValue, startup.Credential);
        Assert.Equal("15.8", startup.ServerVersion);
        Assert.Equal(4321, startup.BackendProcessId);
        Assert.Equal('I', startup.TransactionStatus);
        Assert.Equal(TimeSpan.FromMilliseconds(10), startup.Latency);
        Assert.Equal(ConnectionRole.Client, startup.Role);
        Assert.False(startup.IsError);
    }

    [Fact]
    public void Simple_queries_give_tags_rows_notices_and_errors()
    {
        var records = Run(PostgresConversations.SimpleQueries()).Records;

        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Equal(PostgresCommand.Query, r.Command));

        Assert.Equal("select id, name from items", records[0].Statement);
        Assert.Equal("SELECT 3", records[0].CommandTag);
        Assert.Equal(3, records[0].RowsReturned);
        Assert.Null(records[0].RowsAffected);
        Assert.Equal(TimeSpan.FromMilliseconds(10), records[0].Latency);

        Assert.Equal("INSERT 0 2", records[1].CommandTag);
        Assert.Equal(2, records[1].RowsAffected);
        Assert.Null(records[1].RowsReturned);
        Assert.Equal("be careful", Assert.Single(records[1].Notices).Message);

        var failed = records[2];
        Assert.True(failed.IsError);
        Assert.Equal("ERROR", failed.Error!.Severity);
        Assert.Equal("42P01", failed.Error.SqlState);
        Assert.Equal("relation \"missing\" does not exist", failed.Error.Message);
        Assert.Equal("ERR 42P01", failed.Outcome);
        Assert.Equal("Query", failed.Operation);
        Assert.Equal("select * from missing", failed.Resource);

        Assert.Equal("", records[3].CommandTag);
        Assert.Equal("EMPTY", records[3].Outcome);
    }

    [Fact]
    public void A_prepared_statement_executed_twice_gives_its_text_and_each_binding()
    {
        var records = Run(PostgresConversations.PreparedTwice()).Records;

        Assert.Equal(2, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal(PostgresCommand.Execute, r.Command);
            Assert.Equal("select * from items where id = $1 and tag = $2 and ok = $3", r.Statement);
            Assert.Equal("s1", r.StatementName);
            Assert.Equal(3, r.ParameterCount);
        });
        Assert.Equal(["42", "red", "true"], records[0].Parameters);
        Assert.Equal(1, records[0].RowsReturned);
        Assert.Equal("SELECT 1", records[0].CommandTag);
        Assert.Equal(["7", null, "false"], records[1].Parameters);
        Assert.Equal(0, records[1].RowsReturned);
        Assert.Equal(TimeSpan.FromMilliseconds(10), records[1].Latency);
    }

    [Fact]
    public void A_pipeline_gives_one_record_per_execute_in_order_and_marks_the_skipped_one()
    {
        var records = Run(PostgresConversations.PipelineWithError()).Records;

        Assert.Equal(3, records.Count);
        Assert.Equal(["1", "2", "3"], records.Select(r => Assert.Single(r.Parameters)));
        Assert.Equal("INSERT 0 1", records[0].CommandTag);
        Assert.Equal(1, records[0].RowsAffected);
        Assert.Null(records[0].Error);

        Assert.Equal("insert into nope values ($1)", records[1].Statement);
        Assert.Equal("42P01", records[1].Error?.SqlState);
        Assert.False(records[1].Skipped);

        Assert.True(records[2].Skipped);
        Assert.Equal("skipped", records[2].Outcome);
        Assert.Null(records[2].Error);
    }

    [Fact]
    public void A_prepare_without_execute_gives_a_parse_record_and_its_error()
    {
        var feeder = new PostgresFeeder();
        feeder.Client(PostgresWire.Concat(PostgresWire.Parse("ok", "select 1"), PostgresWire.Sync()), 1);
        feeder.Server(PostgresWire.Concat(PostgresWire.ParseComplete(), PostgresWire.ReadyForQuery()), 2);
        feeder.Client(PostgresWire.Concat(PostgresWire.Parse("bad", "selec 1"), PostgresWire.Sync()), 3);
        feeder.Server(PostgresWire.Concat(PostgresWire.Error("42601", "syntax error at or near \"selec\""), PostgresWire.ReadyForQuery()), 4);

        var records = feeder.Records;
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(PostgresCommand.Parse, r.Command));
        Assert.Equal("select 1", records[0].Statement);
        Assert.Equal("ok", records[0].StatementName);
        Assert.Null(records[0].Error);
        Assert.Equal("42601", records[1].Error?.SqlState);
    }

    [Fact]
    public void Binary_values_of_common_types_are_decoded_and_others_shown_as_bounded_hex()
    {
        var feeder = new PostgresFeeder(options: new PostgresParserOptions { MaxParameterLength = 16 });
        var uuid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        byte[] big = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];
        feeder.Client(PostgresWire.Concat(
            PostgresWire.Parse("", "select $1,$2,$3,$4,$5,$6,$7", 21, 20, 701, 2950, 1184, 17, 9999),
            PostgresWire.Bind("", "",
                (true, PostgresWire.Int16(-5)),
                (true, PostgresWire.Int64(long.MaxValue)),
                (true, BitConverter.GetBytes(BitConverter.DoubleToInt64Bits(2.5)).Reverse().ToArray()),
                (true, uuid.ToByteArray(bigEndian: true)),
                (true, PostgresWire.Int64(86_400_000_000L + 1)),
                (true, big),
                (true, [0xDE, 0xAD])),
            PostgresWire.Execute(), PostgresWire.Sync()));
        feeder.Server(PostgresWire.Concat(PostgresWire.ParseComplete(), PostgresWire.BindComplete(), PostgresWire.CommandComplete("SELECT 1"), PostgresWire.ReadyForQuery()));

        var record = Assert.Single(feeder.Records);
        Assert.Equal("-5", record.Parameters[0]);
        Assert.Equal("9223372036854775807", record.Parameters[1]);
        Assert.Equal("2.5", record.Parameters[2]);
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", record.Parameters[3]);
        Assert.Equal("2000-01-02 00:00:00.000001+00", record.Parameters[4]);
        Assert.Equal("\\x00010203040506…", record.Parameters[5]);
        Assert.Equal("0xdead", record.Parameters[6]);
    }

    [Fact]
    public void Pending_requests_are_bounded_and_complete_emits_what_waits()
    {
        var feeder = new PostgresFeeder(options: new PostgresParserOptions { MaxPendingRequests = 4 });
        for (int i = 0; i < 10; i++)
        {
            feeder.Client(PostgresWire.Query($"select {i}"));
        }

        Assert.True(((PostgresConnectionParser)feeder.Parser).PendingCount <= 4);
        Assert.Equal(6, feeder.Records.Count);
        Assert.All(feeder.Records, r => Assert.True(r.DataLost));
        feeder.Complete();
        Assert.Equal(10, feeder.Records.Count);
        Assert.Equal("select 9", feeder.Records[^1].Statement);
    }

    [Fact]
    public void Large_statements_are_cut_and_flagged_without_buffering_the_message_whole()
    {
        var options = new PostgresParserOptions { MaxStatementLength = 100, MaxMessageHeadBytes = 1024 };
        var feeder = new PostgresFeeder(options: options);
        string sql = "select '" + new string('x', 200_000) + "'";
        var query = PostgresWire.Query(sql);
        for (int at = 0; at < query.Length; at += 4096)
        {
            feeder.Client(query.AsSpan(at, Math.Min(4096, query.Length - at)).ToArray());
        }

        feeder.Server(PostgresWire.Concat(PostgresWire.CommandComplete("SELECT 1"), PostgresWire.ReadyForQuery()));
        var record = Assert.Single(feeder.Records);
        Assert.True(record.StatementTruncated);
        Assert.Equal(sql[..100], record.Statement);
    }

    [Fact]
    public void ToString_summarises_the_exchange()
    {
        var record = Run(PostgresConversations.PreparedTwice()).Records[0];
        string text = record.ToString();
        Assert.Contains("postgres Execute select * from items", text, StringComparison.Ordinal);
        Assert.Contains("[42, red, true]", text, StringComparison.Ordinal);
        Assert.Contains("SELECT 1", text, StringComparison.Ordinal);
    }
}
