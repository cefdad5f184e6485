using Ebpf.ProtocolTracing.MySql;
using static Ebpf.ProtocolTracing.Parsers.Tests.MySql.MySqlPackets;

namespace Ebpf.ProtocolTracing.Parsers.Tests.MySql;

/// <summary>Whole conversations: every command's record, with and without CLIENT_DEPRECATE_EOF.</summary>
public sealed class MySqlParserExchangeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FullConversation_YieldsOneRecordPerExchange(bool deprecateEof)
    {
        var driver = new MySqlParserDriver();
        MySqlConversations.Play(driver, MySqlConversations.Full(deprecateEof));
        AssertFullConversation(driver.Records);
        Assert.Equal(0, driver.InvalidCount);
    }

    internal static void AssertFullConversation(List<MySqlRecord> records)
    {
        Assert.True(records.Count == 10, string.Join("\n", records));
        Assert.Equal(
            [MySqlCommand.Connect, MySqlCommand.Query, MySqlCommand.Query, MySqlCommand.Query, MySqlCommand.Prepare, MySqlCommand.Execute,
             MySqlCommand.Execute, MySqlCommand.CloseStatement, MySqlCommand.Ping, MySqlCommand.Quit],
            records.Select(r => r.Command));
        Assert.All(records, r => Assert.False(r.DataLost, r.ToString()));
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));

        var connect = records[0];
        Assert.Equal(("10.11.19-MariaDB", 42u, "app", "shop", "mysql_native_password"), (connect.ServerVersion, connect.ServerConnectionId, connect.User, connect.Database, connect.AuthPlugin));
        Assert.Equal(TimeSpan.FromMilliseconds(20), connect.Latency);
        Assert.Equal("OK", connect.Outcome);

        var select = records[1];
        Assert.Equal(("SELECT name FROM items", 3L, 1), (select.Statement, select.RowsReturned!.Value, select.ColumnCount!.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(10), select.Latency);
        Assert.Equal("3 rows", select.Outcome);

        var missing = records[2];
        Assert.Equal(new MySqlError(1146, "42S02", "Table 'shop.missing' doesn't exist"), missing.Error);
        Assert.True(missing.IsError);
        Assert.Equal("ERR 1146 42S02", missing.Outcome);

        var insert = records[3];
        Assert.Equal((2L, 17L, (long?)null), (insert.AffectedRows!.Value, insert.LastInsertId!.Value, insert.RowsReturned));
        Assert.Equal("mysql Query INSERT INTO items(name) VALUES ('a'),('b') -> OK affected 2 in 10 ms Client", insert.ToString());
        Assert.Equal("mysql Query SELECT name FROM items -> 3 rows in 10 ms Client", select.ToString());
        Assert.Equal("mysql Connect app@shop -> OK in 20 ms Client", connect.ToString());

        var prepare = records[4];
        Assert.Equal((7u, 2, 2), (prepare.StatementId!.Value, prepare.ParameterCount!.Value, prepare.ColumnCount!.Value));

        var execute = records[5];
        Assert.Equal("SELECT * FROM items WHERE id = ? AND name = ?", execute.Statement);
        Assert.Equal(7u, execute.StatementId);
        Assert.Equal(1L, execute.RowsReturned);
        Assert.Equal(["5", "'widget'"], execute.Parameters.Select(p => p.ToString()));
        Assert.Equal((MySqlFieldType.Long, MySqlFieldType.VarString), (execute.Parameters[0].Type, execute.Parameters[1].Type));

        // The second execute sends no types: the ones bound before are used.
        var again = records[6];
        Assert.Equal(["6", "NULL"], again.Parameters.Select(p => p.ToString()));
        Assert.Equal(0L, again.RowsReturned);

        Assert.Equal(("SELECT * FROM items WHERE id = ? AND name = ?", (DateTimeOffset?)null), (records[7].Statement, records[7].ResponseTime));
        Assert.Equal("OK", records[8].Outcome);
        Assert.Null(records[9].ResponseTime);
    }

    [Fact]
    public void ExecuteAfterClose_HasNoStatementText()
    {
        var driver = new MySqlParserDriver();
        driver.Send(Prepare("SELECT 1"));
        driver.Receive(PrepareOk(1, columns: 1, parameters: 0, deprecateEof: false));
        driver.Send(Command(0x19, U32(1)));
        driver.Send(Execute(1, 0, [], null, []));
        driver.Receive(Err(1, 1243, "HY000", "Unknown prepared statement handler"));

        var records = driver.Records;
        Assert.Equal("SELECT 1", records[1].Statement);
        Assert.Null(records[2].Statement);
        Assert.Equal(1243, records[2].Error!.Code);
    }

    [Fact]
    public void BinaryParameters_AllCommonTypes()
    {
        var driver = new MySqlParserDriver();
        driver.Send(Prepare("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?)"));
        driver.Receive(PrepareOk(3, columns: 0, parameters: 10, deprecateEof: true));
        (byte, bool)[] types = [(0x01, false), (0x02, true), (0x08, false), (0x04, false), (0x05, false), (0x0a, false), (0x0c, false), (0x0b, false), (0xfc, false), (0x06, false)];
        var values = Concat(
            U8(0xFF), U16(65535), U64(unchecked((ulong)-9_000_000_000L)), BitConverter.GetBytes(1.5f), BitConverter.GetBytes(-2.25),
            [4, .. U16(2024), 2, 29], [11, .. U16(2024), 12, 31, 23, 59, 58, .. U32(123456)], [8, 1, .. U32(1), 2, 3, 4],
            LenencString(new string('x', 300)));
        driver.Send(Execute(3, 10, new bool[10], types, values));
        driver.Receive(Ok(1, affected: 1, lastInsertId: 99));

        var execute = driver.Records[^1];
        Assert.Equal(
            ["-1", "65535", "-9000000000", "1.5", "-2.25", "'2024-02-29'", "'2024-12-31 23:59:58.123456'", "'-26:03:04'", "'" + new string('x', 256) + "…'", "NULL"],
            execute.Parameters.Select(p => p.ToString()));
        Assert.Equal((300L, true), (execute.Parameters[8].Length, execute.Parameters[8].Truncated));
        Assert.Equal((1L, 99L), (execute.AffectedRows!.Value, execute.LastInsertId!.Value));
    }

    [Fact]
    public void CaptureParameterValuesOff_KeepsTypesOnly()
    {
        var driver = new MySqlParserDriver(new MySqlParserOptions { CaptureParameterValues = false });
        driver.Send(Prepare("SELECT ?"));
        driver.Receive(PrepareOk(1, columns: 1, parameters: 1, deprecateEof: true));
        driver.Send(Execute(1, 1, [false], [(0xfd, false)], LenencString("card-4111111111111111")));
        driver.Receive(ResultSet(1, deprecateEof: true));

        var parameter = Assert.Single(driver.Records[^1].Parameters);
        Assert.Equal((MySqlFieldType.VarString, (string?)null, 21L), (parameter.Type, parameter.Value, parameter.Length));
        Assert.DoesNotContain("4111", driver.Records[^1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MultipleResultSets_AreCountedTogether()
    {
        var driver = new MySqlParserDriver();
        driver.Send(Query("CALL two_sets()"));
        // Each result set's final EOF says SERVER_MORE_RESULTS_EXISTS; the procedure's own OK ends the response.
        driver.Receive(Concat(
            Packet(1, Lenenc(1)), ColumnDefinition(2, "a"), Eof(3), TextRow(4, "1"), TextRow(5, "2"), Eof(6, status: 0x0a),
            Packet(7, Lenenc(1)), ColumnDefinition(8, "b"), Eof(9), TextRow(10, "3"), TextRow(11, "4"), TextRow(12, [null]), Eof(13, status: 0x0a)));
        Assert.Empty(driver.Records);
        driver.Receive(Ok(14, affected: 0));

        var record = Assert.Single(driver.Records);
        Assert.Equal(5L, record.RowsReturned);
    }

    [Fact]
    public void MariaDbCachedMetadata_ResultSetWithoutDefinitions()
    {
        var driver = new MySqlParserDriver();
        driver.Send(Prepare("SELECT a, b FROM t WHERE c = ?"));
        driver.Receive(PrepareOk(5, columns: 2, parameters: 1, deprecateEof: true));
        driver.Send(Execute(5, 1, [false], [(0x03, false)], U32(1)));

        // Column count 2 and "metadata follows" 0: the client cached the definitions, rows come at once.
        driver.Receive(Concat(Packet(1, Lenenc(2), U8(0)), Packet(2, U8(0), U8(0), U8(1), U8(7)), Packet(3, U8(0), U8(0), U8(2), U8(8)), Ok(4, header: 0xFE)));

        var execute = driver.Records[^1];
        Assert.Equal((2L, 2, false), (execute.RowsReturned!.Value, execute.ColumnCount!.Value, execute.DataLost));
    }

    [Fact]
    public void LongDataParameter_HasNoValueInTheExecute_OthersDecode()
    {
        var driver = new MySqlParserDriver();
        driver.Send(Prepare("INSERT INTO docs VALUES (?, ?)"));
        driver.Receive(PrepareOk(2, columns: 0, parameters: 2, deprecateEof: true));
        driver.Send(Command(0x18, U32(2), U16(0), Text("a very long document")));
        driver.Send(Execute(2, 2, [false, false], [(0xfc, false), (0x03, false)], U32(77)));
        driver.Receive(Ok(1, affected: 1));

        var records = driver.Records;
        Assert.Equal((MySqlCommand.SendLongData, (DateTimeOffset?)null), (records[1].Command, records[1].ResponseTime));
        Assert.Equal([(string?)null, "77"], records[2].Parameters.Select(p => p.Value));
        Assert.True(records[2].Parameters[0].Truncated);
    }

    [Fact]
    public void ChangeUserAndInitDb_AreRecorded()
    {
        var driver = new MySqlParserDriver();
        driver.Send(Command(0x02, Text("inventory")));
        driver.Receive(Ok(1));
        driver.Send(Command(0x11, Nul("other"), U8(3), Text("xyz"), Nul("otherdb")));
        driver.Receive(Packet(1, U8(0xFE), Nul("caching_sha2_password"), Text("scramble-bytes-20..."), U8(0)));
        driver.Send(Packet(2, Text("hashed-secret")));
        driver.Receive(Ok(3));

        var records = driver.Records;
        Assert.Equal((MySqlCommand.InitDb, "inventory", "OK"), (records[0].Command, records[0].Statement, records[0].Outcome));
        Assert.Equal((MySqlCommand.ChangeUser, "other", "otherdb", "caching_sha2_password"), (records[1].Command, records[1].User, records[1].Database, records[1].AuthPlugin));
    }

    [Fact]
    public void SslRequest_RecordsTheHandshakeAndStops()
    {
        var driver = new MySqlParserDriver();
        driver.Receive(Greeting());
        driver.Send(SslRequest());
        driver.Send([0x16, 0x03, 0x01, 0x00, 0x10]);

        Assert.True(driver.Stopped);
        var record = Assert.Single(driver.Records);
        Assert.Equal((MySqlCommand.Connect, true), (record.Command, record.TlsRequested));
    }

    [Fact]
    public void CompleteWithPendingCommand_EmitsItWithoutResponse()
    {
        var driver = new MySqlParserDriver();
        driver.Send(Query("SELECT SLEEP(100)"));
        driver.Complete();

        var record = Assert.Single(driver.Records);
        Assert.Equal(("SELECT SLEEP(100)", (DateTimeOffset?)null, (string?)null, false), (record.Statement, record.ResponseTime, record.Outcome, record.DataLost));
    }
}
