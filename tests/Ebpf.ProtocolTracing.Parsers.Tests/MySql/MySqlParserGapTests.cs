using Ebpf.ProtocolTracing.MySql;
using static Ebpf.ProtocolTracing.Parsers.Tests.MySql.MySqlPackets;

namespace Ebpf.ProtocolTracing.Parsers.Tests.MySql;

/// <summary>Lost bytes: absorbed inside the skipped part of a long packet, otherwise lost records and a resync.</summary>
public sealed class MySqlParserGapTests
{
    [Fact]
    public void LongQuery_IsCut_NotBuffered_AndAGapInItsTailIsAbsorbed()
    {
        var options = new MySqlParserOptions { MaxPacketBytes = 1024, MaxStatementLength = 100 };
        var driver = new MySqlParserDriver(options);
        var query = Query("SELECT '" + new string('a', 200_000) + "'");
        driver.Send(query[..5000]);
        driver.Gap(StreamDirection.Egress, 100_000);
        driver.Send(query[105_000..]);
        driver.Receive(ResultSet(1, deprecateEof: true));

        var record = Assert.Single(driver.Records);
        Assert.Equal((100, true, false, 1L), (record.Statement!.Length, record.StatementTruncated, record.DataLost, record.RowsReturned!.Value));
        Assert.True(driver.MaxBuffered < 2048, $"buffered {driver.MaxBuffered} bytes");
    }

    [Fact]
    public void MultiPacketPayload_IsOneCommand()
    {
        var options = new MySqlParserOptions { MaxPacketBytes = 1024 };
        var driver = new MySqlParserDriver(options);
        var text = "SELECT '" + new string('b', 0xFFFFFF + 10) + "'";
        var payload = Concat(U8(0x03), Text(text));
        var first = Concat([0xFF, 0xFF, 0xFF, 0], payload[..0xFFFFFF]);
        var rest = payload[0xFFFFFF..];
        var second = Concat([(byte)rest.Length, (byte)(rest.Length >> 8), (byte)(rest.Length >> 16), 1], rest);
        driver.Send(first);
        driver.Send(second);
        driver.Send(Query("SELECT 2"));
        driver.Receive(Ok(1));
        driver.Receive(ResultSet(1, deprecateEof: true));

        Assert.Equal(2, driver.Records.Count);
        Assert.True(driver.Records[0].StatementTruncated);
        Assert.Equal(("SELECT 2", 1L), (driver.Records[1].Statement, driver.Records[1].RowsReturned!.Value));
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void GapInResponse_MarksItLost_NextExchangeIsWhole()
    {
        var driver = new MySqlParserDriver();
        driver.Send(Query("SELECT a FROM t"));
        var response = ResultSet(5, deprecateEof: false);
        driver.Receive(response[..20]);
        driver.Gap(StreamDirection.Ingress, 30);
        driver.Receive(response[50..]);
        driver.Send(Query("SELECT 1"));
        driver.Receive(ResultSet(1, deprecateEof: false));

        var records = driver.Records;
        Assert.True(records.Count == 2, string.Join("\n", records));
        Assert.Equal(("SELECT a FROM t", true), (records[0].Statement, records[0].DataLost));
        Assert.Equal(("SELECT 1", false, 1L), (records[1].Statement, records[1].DataLost, records[1].RowsReturned!.Value));
    }

    [Fact]
    public void GapInCommand_ResyncsAtTheNextCommand()
    {
        var driver = new MySqlParserDriver();
        var lost = Query("SELECT lost FROM t WHERE x = 1");
        driver.Send(lost[..8]);
        driver.Gap(StreamDirection.Egress, lost.Length - 8);
        driver.Receive(ResultSet(2, deprecateEof: true), RecordingParseContextTimes.At(2));
        driver.Send(Query("SELECT kept"), RecordingParseContextTimes.At(3));
        driver.Receive(ResultSet(1, deprecateEof: true), RecordingParseContextTimes.At(4));

        var records = driver.Records;
        Assert.Equal(2, records.Count);
        Assert.Equal((MySqlCommand.Unknown, true), (records[0].Command, records[0].DataLost));
        Assert.Equal(("SELECT kept", false, 1L), (records[1].Statement, records[1].DataLost, records[1].RowsReturned!.Value));
    }
}

internal static class RecordingParseContextTimes
{
    public static DateTimeOffset At(int milliseconds) => Tests.Http.RecordingParseContext.Epoch.AddMilliseconds(milliseconds);
}
