using Ebpf.ProtocolTracing.Memcached;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Memcached;

/// <summary>What each command becomes, and how responses are paired.</summary>
public sealed class MemcachedParserExchangeTests
{
    private static readonly DateTimeOffset T0 = RecordingParseContext.Epoch;

    [Fact]
    public void Text_commands_pair_in_order_with_statuses_sizes_and_hits()
    {
        var driver = MemcachedWire.Driver();
        driver.Send("set user:1 0 0 5\r\nhello\r\nget user:1 user:2 user:3\r\nincr n 1\r\ndelete gone\r\ntouch user:1 60\r\n", T0);
        driver.Receive("STORED\r\nVALUE user:1 0 5\r\nhello\r\nVALUE user:3 7 2\r\nhi\r\nEND\r\n42\r\nNOT_FOUND\r\nTOUCHED\r\n", T0.AddMilliseconds(2));
        driver.Send("version\r\nstats\r\nflush_all\r\n", T0.AddMilliseconds(3));
        driver.Receive("VERSION 1.6.18\r\nSTAT pid 1\r\nSTAT uptime 2\r\nEND\r\nOK\r\n", T0.AddMilliseconds(4));

        var records = driver.Records();
        Assert.Equal(["set", "get", "incr", "delete", "touch", "version", "stats", "flush_all"], records.Select(r => r.Command));
        var set = records[0];
        Assert.Equal(("user:1", 5L, "STORED"), (set.Resource, set.RequestValueSize, set.Status));
        Assert.Equal(TimeSpan.FromMilliseconds(2), set.Latency);
        var get = records[1];
        Assert.Equal(["user:1", "user:2", "user:3"], get.Keys);
        Assert.Equal((2, 7L, "END", "hit"), (get.Hits, get.ResponseValueSize, get.Status, get.Outcome));
        Assert.Equal("42", records[2].Status);
        Assert.Equal("NOT_FOUND", records[3].Status);
        Assert.False(records[3].IsError);
        Assert.Equal("TOUCHED", records[4].Status);
        Assert.Equal("VERSION 1.6.18", records[5].Status);
        Assert.Equal("END", records[6].Status);
        Assert.Equal("OK", records[7].Status);
        Assert.All(records, r => Assert.Equal(MemcachedDialect.Text, r.Dialect));
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.All(records, r => Assert.False(r.DataLost));
    }

    [Fact]
    public void Noreply_commands_are_records_without_a_response_and_do_not_shift_the_pairing()
    {
        var driver = MemcachedWire.Driver();
        driver.Send("set a 0 0 1 noreply\r\nx\r\ndelete b noreply\r\nget a\r\n");
        driver.Receive("VALUE a 0 1\r\nx\r\nEND\r\n");
        var records = driver.Records();
        Assert.Equal(3, records.Count);
        Assert.True(records[0].NoReply);
        Assert.Null(records[0].Status);
        Assert.Null(records[1].Status);
        Assert.Equal(("get", 1, "hit"), (records[2].Command, records[2].Hits, records[2].Outcome));
    }

    [Fact]
    public void Errors_are_error_records_with_their_text()
    {
        var driver = MemcachedWire.Driver();
        driver.Send("get k\r\nincr k 1\r\n");
        driver.Receive("SERVER_ERROR out of memory\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
        var records = driver.Records();
        Assert.Equal("SERVER_ERROR", records[0].Status);
        Assert.Equal("out of memory", records[0].ErrorMessage);
        Assert.True(records[0].IsError);
        Assert.True(records[1].IsError);
    }

    [Fact]
    public void A_get_without_values_is_a_miss()
    {
        var driver = MemcachedWire.Driver();
        driver.Send("get nothing\r\n");
        driver.Receive("END\r\n");
        var record = Assert.Single(driver.Records());
        Assert.Equal(("END", "miss", 0), (record.Status, record.Outcome, record.Hits));
    }

    [Fact]
    public void Meta_commands_with_quiet_flags_and_opaques_pair_past_withheld_answers()
    {
        var driver = MemcachedWire.Driver();
        driver.Send("ms k1 2 T0 q\r\nhi\r\nmg k1 v O11 q\r\nmg missing v O12 q\r\nmd k9 q\r\nmg k2 s v\r\nmn\r\n", T0);
        driver.Receive("VA 2 O11\r\nhi\r\nNF\r\nEN\r\nMN\r\n", T0.AddMilliseconds(1));
        var records = driver.Records();
        Assert.Equal(["ms", "mg", "mg", "md", "mg", "mn"], records.Select(r => r.Command));
        Assert.All(records, r => Assert.Equal(MemcachedDialect.Meta, r.Dialect));
        Assert.Equal(("HD", 2L), (records[0].Status, records[0].RequestValueSize));
        Assert.Equal(("VA", 1, 2L, "11"), (records[1].Status, records[1].Hits, records[1].ResponseValueSize, records[1].Opaque));
        Assert.Equal(("EN", 0), (records[2].Status, records[2].Hits));
        Assert.Equal("NF", records[3].Status);
        Assert.Equal("EN", records[4].Status);
        Assert.Equal("MN", records[5].Status);
        Assert.True(records[1].NoReply);
        Assert.False(records[4].NoReply);
    }

    [Fact]
    public void Binary_requests_pair_by_opaque_and_quiet_requests_get_their_implied_answer()
    {
        var driver = MemcachedWire.Driver();
        driver.Feed(StreamDirection.Egress, MemcachedWire.Concat(
            MemcachedWire.Binary(true, 0x01, 1, "k", extras: 8, value: "value"),
            MemcachedWire.Binary(true, 0x0d, 2, "a"),
            MemcachedWire.Binary(true, 0x0d, 3, "b"),
            MemcachedWire.Binary(true, 0x11, 4, "c", extras: 8, value: "zz"),
            MemcachedWire.Binary(true, 0x0a, 5)), T0);
        driver.Feed(StreamDirection.Ingress, MemcachedWire.Concat(
            MemcachedWire.Binary(false, 0x01, 1),
            MemcachedWire.Binary(false, 0x0d, 3, "b", extras: 4, value: "bee"),
            MemcachedWire.Binary(false, 0x0a, 5)), T0.AddMilliseconds(1));

        var records = driver.Records();
        Assert.Equal(["set", "getkq", "getkq", "setq", "noop"], records.Select(r => r.Command));
        Assert.All(records, r => Assert.Equal(MemcachedDialect.Binary, r.Dialect));
        Assert.Equal(("NoError", 5L, "1"), (records[0].Status, records[0].RequestValueSize, records[0].Opaque));
        Assert.Equal(("KeyNotFound", "a", 0), (records[1].Status, records[1].Resource, records[1].Hits));
        Assert.Equal(("NoError", 1, 3L), (records[2].Status, records[2].Hits, records[2].ResponseValueSize));
        Assert.Equal("NoError", records[3].Status);
        Assert.True(records[3].NoReply);
        Assert.Equal("NoError", records[4].Status);
        Assert.Equal(TimeSpan.FromMilliseconds(1), records[0].Latency);
    }

    [Fact]
    public void Binary_errors_and_stat_streams()
    {
        var driver = MemcachedWire.Driver();
        driver.Feed(StreamDirection.Egress, MemcachedWire.Concat(MemcachedWire.Binary(true, 0x05, 7, "n", extras: 20), MemcachedWire.Binary(true, 0x10, 8)));
        driver.Feed(StreamDirection.Ingress, MemcachedWire.Concat(
            MemcachedWire.Binary(false, 0x05, 7, value: "Non-numeric server-side value for incr or decr", status: 6),
            MemcachedWire.Binary(false, 0x10, 8, "pid", value: "1"),
            MemcachedWire.Binary(false, 0x10, 8, "uptime", value: "5"),
            MemcachedWire.Binary(false, 0x10, 8)));
        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.Equal(("increment", "NonNumericValue", true), (records[0].Command, records[0].Status, records[0].IsError));
        Assert.Equal(("stat", "NoError"), (records[1].Command, records[1].Status));
    }

    [Fact]
    public void Sasl_auth_data_is_never_kept()
    {
        var driver = MemcachedWire.Driver();
        driver.Feed(StreamDirection.Egress, MemcachedWire.Binary(true, 0x21, 1, "PLAIN", value: "\0user\0Sasl-SECRET-pw"));
        driver.Feed(StreamDirection.Ingress, MemcachedWire.Binary(false, 0x21, 1, value: "Authenticated"));
        var record = Assert.Single(driver.Records());
        Assert.Equal(("sasl_auth", "PLAIN", "NoError"), (record.Command, record.Resource, record.Status));
        Assert.DoesNotContain("SECRET", record.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(record.GetType().GetProperties().Select(p => p.GetValue(record)?.ToString() ?? ""), v => v.Contains("SECRET", StringComparison.Ordinal));
    }

    [Fact]
    public void Large_values_are_stepped_over_as_they_arrive()
    {
        var driver = MemcachedWire.Driver();
        driver.Send("get big\r\n");
        driver.Receive("VALUE big 0 300000\r\n");
        for (int i = 0; i < 300; i++)
        {
            driver.Receive(new string('v', 1000));
        }

        driver.Receive("\r\nEND\r\n");
        var record = Assert.Single(driver.Records());
        Assert.Equal(300_000, record.ResponseValueSize);
        Assert.True(driver.MaxBuffered < 64, $"buffered {driver.MaxBuffered}");
    }

    [Fact]
    public void Summary_line()
    {
        var driver = MemcachedWire.Driver();
        driver.Send("get k\r\n", T0);
        driver.Receive("VALUE k 0 2\r\nab\r\nEND\r\n", T0.AddMilliseconds(1));
        Assert.Equal("memcached get k -> END (1 hit, 2 B) in 1 ms Client", driver.Records()[0].ToString());
    }
}
