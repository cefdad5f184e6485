using System.Text;
using Ebpf.ProtocolTracing.MySql;
using static Ebpf.ProtocolTracing.Parsers.Tests.MySql.MySqlPackets;

namespace Ebpf.ProtocolTracing.Parsers.Tests.MySql;

/// <summary>Garbage, truncation, mid-stream joins, bounds and redaction.</summary>
public sealed class MySqlParserRobustnessTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomBytes_NeverThrow_AndStateStaysBounded(int seed)
    {
        var random = new Random(seed);
        var options = new MySqlParserOptions { MaxPendingCommands = 8, MaxCachedStatements = 4 };
        var driver = new MySqlParserDriver(options);
        for (int i = 0; i < 2000; i++)
        {
            var piece = new byte[random.Next(4, 64)];
            random.NextBytes(piece);
            if (random.Next(4) == 0)
            {
                // Plausible headers now and then, so the parser gets past framing.
                piece[0] = (byte)random.Next(1, 40);
                piece[1] = piece[2] = 0;
                piece[3] = (byte)random.Next(3);
            }

            driver.Feed((StreamDirection)random.Next(2), piece);
        }

        driver.Complete();
        var parser = (MySqlConnectionParser)driver.Parser;
        Assert.Equal(0, parser.PendingCount);
        Assert.True(parser.CachedStatementCount <= 4);
        Assert.All(driver.Records, r => Assert.NotNull(r.ToString()));
    }

    [Fact]
    public void TruncatedConversation_EveryPrefix_NeverThrows()
    {
        var bytes = MySqlConversations.Full(deprecateEof: false);
        for (int cut = 0; cut < bytes.Count; cut++)
        {
            var driver = new MySqlParserDriver();
            foreach (var (direction, message) in bytes.Take(cut))
            {
                driver.Feed(direction, message);
            }

            var (lastDirection, last) = bytes[cut];
            driver.Feed(lastDirection, last.AsSpan(0, last.Length / 2));
            driver.Complete();
            Assert.All(driver.Records, r => Assert.NotEqual(MySqlCommand.Unknown, r.Command));
        }
    }

    [Fact]
    public void MidStreamJoin_InsideAResultSet_LaterExchangesAreWhole()
    {
        // Tracing starts in the middle of a response: its tail is skipped, later commands parse whole.
        var driver = new MySqlParserDriver(startResyncing: true);
        var response = ResultSet(10, deprecateEof: false);
        driver.Receive(response[37..]);
        driver.Send(Concat(Query("SEL"), Query("SELECT x FROM y"))[6..]);
        driver.Receive(ResultSet(2, deprecateEof: false));
        driver.Send(Prepare("DELETE FROM y WHERE x = ?"));
        driver.Receive(PrepareOk(9, columns: 0, parameters: 1, deprecateEof: false));
        driver.Send(Execute(9, 1, [false], [(0x08, false)], U64(12345)));
        driver.Receive(Ok(1, affected: 1));

        var records = driver.Records;
        Assert.Equal([MySqlCommand.Query, MySqlCommand.Prepare, MySqlCommand.Execute], records.Select(r => r.Command));
        Assert.Equal(("SELECT x FROM y", 2L), (records[0].Statement, records[0].RowsReturned!.Value));
        Assert.Equal(("DELETE FROM y WHERE x = ?", "12345", 1L), (records[2].Statement, records[2].Parameters[0].Value, records[2].AffectedRows!.Value));
    }

    [Fact]
    public void ExecuteOfAStatementPreparedBeforeTracing_KeepsItsIdOnly()
    {
        var driver = new MySqlParserDriver();
        driver.Send(Execute(4, 1, [false], [(0x03, false)], U32(1)));
        driver.Receive(Ok(1));

        var record = Assert.Single(driver.Records);
        Assert.Equal((4u, (string?)null, 0), (record.StatementId!.Value, record.Statement, record.Parameters.Count));
        Assert.Equal("statement 4", record.Resource);
    }

    [Fact]
    public void AuthenticationBytes_NeverReachARecord()
    {
        var driver = new MySqlParserDriver();
        MySqlConversations.Play(driver, MySqlConversations.Full(deprecateEof: true));
        driver.Send(Command(0x11, Nul("other"), U8((byte)MySqlConversations.Secret.Length), MySqlConversations.Secret, Nul("db")));
        driver.Receive(Packet(1, U8(0xFE), Nul("mysql_native_password"), Text("SCRAMBLE-FROM-SERVER"), U8(0)));
        driver.Send(Packet(2, MySqlConversations.Secret));
        driver.Receive(Ok(3));

        var secretText = Encoding.UTF8.GetString(MySqlConversations.Secret);
        var hex = Convert.ToHexString(MySqlConversations.Secret);
        Assert.Equal(11, driver.Records.Count);
        foreach (var record in driver.Records)
        {
            string all = record.ToString() + " " + string.Join(" ", typeof(MySqlRecord).GetProperties()
                .Where(p => p.GetIndexParameters().Length == 0)
                .Select(p => p.GetValue(record) is { } v ? (v is System.Collections.IEnumerable e and not string ? string.Join(",", e.Cast<object>()) : v.ToString()) : ""));
            Assert.DoesNotContain(secretText, all, StringComparison.Ordinal);
            Assert.DoesNotContain("S3CRET", all, StringComparison.Ordinal);
            Assert.DoesNotContain(hex, all, StringComparison.Ordinal);
            Assert.DoesNotContain("SCRAMBLE", all, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("CREATE USER 'app'@'%' IDENTIFIED BY 'hunter2'", "CREATE USER '[REDACTED]'@'[REDACTED]' IDENTIFIED BY '[REDACTED]'")]
    [InlineData("SET PASSWORD FOR bob = PASSWORD(\"hunter2\")", "SET PASSWORD FOR bob = PASSWORD(\"[REDACTED]\")")]
    [InlineData("ALTER USER x IDENTIFIED BY 'it''s hunter2", "ALTER USER x IDENTIFIED BY '[REDACTED]'")]
    [InlineData("SELECT 'hunter2'", "SELECT 'hunter2'")]
    public void PasswordLiterals_AreRedacted(string sql, string expected)
    {
        var driver = new MySqlParserDriver();
        driver.Send(Query(sql));
        driver.Receive(Ok(1));
        Assert.Equal(expected, Assert.Single(driver.Records).Statement);
    }

    [Fact]
    public void RedactionOff_KeepsTheStatement()
    {
        var driver = new MySqlParserDriver(new MySqlParserOptions { RedactSecrets = false });
        driver.Send(Query("CREATE USER a IDENTIFIED BY 'pw'"));
        Assert.Equal("CREATE USER a IDENTIFIED BY 'pw'", Assert.Single(new[] { driver }.Select(d => { d.Complete(); return d.Records[0]; })).Statement);
    }

    [Fact]
    public void PendingCommands_AreBounded()
    {
        var driver = new MySqlParserDriver(new MySqlParserOptions { MaxPendingCommands = 4 });
        for (int i = 0; i < 10; i++)
        {
            driver.Send(Query("SELECT " + i));
        }

        Assert.Equal(4, ((MySqlConnectionParser)driver.Parser).PendingCount);
        Assert.Equal(6, driver.Records.Count);
        Assert.All(driver.Records, r => Assert.True(r.DataLost));
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MySqlParser(new MySqlParserOptions { MaxPacketBytes = 10 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MySqlParser(new MySqlParserOptions { MaxPendingCommands = 0 }));
    }
}
