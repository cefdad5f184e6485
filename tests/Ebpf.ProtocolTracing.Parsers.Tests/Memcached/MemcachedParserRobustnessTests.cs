using System.Text;
using Ebpf.ProtocolTracing.Memcached;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Memcached;

/// <summary>Gaps, mid-stream joins, garbage, truncation and floods; and the inference scores.</summary>
public sealed class MemcachedParserRobustnessTests
{
    [Fact]
    public void Gap_inside_a_value_is_absorbed_and_the_size_kept()
    {
        var driver = MemcachedWire.Driver();
        driver.Send("get big\r\n");
        driver.Receive("VALUE big 0 1000\r\n" + new string('a', 100));
        driver.Gap(StreamDirection.Ingress, 800);
        driver.Receive(new string('b', 100) + "\r\nEND\r\n");
        var record = Assert.Single(driver.Records());
        Assert.Equal((1000L, 1, false), (record.ResponseValueSize, record.Hits, record.DataLost));
    }

    [Fact]
    public void Gap_between_lines_marks_the_waiting_commands_lost_and_resyncs_at_the_next_line()
    {
        var driver = MemcachedWire.Driver();
        driver.Send("get a\r\n");
        driver.Gap(StreamDirection.Ingress, 20);
        driver.Receive("garbage tail\r\nSTORED\r\n");
        driver.Send("set b 0 0 1\r\nx\r\n");
        driver.Receive("STORED\r\n");
        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.True(records[0].DataLost);
        Assert.Null(records[0].Status);
        Assert.Equal(("set", "STORED", false), (records[1].Command, records[1].Status, records[1].DataLost));
    }

    [Fact]
    public void Joined_mid_stream_inside_a_value_the_parser_finds_the_next_command_and_learns_the_sides()
    {
        var driver = MemcachedWire.Driver(role: ConnectionRole.Unknown);
        driver.Send("rest of an earlier value\r\nget k\r\n", RecordingParseContext.Epoch);
        driver.Receive("END\r\n", RecordingParseContext.Epoch.AddMilliseconds(2));
        var record = Assert.Single(driver.Records());
        Assert.Equal(("get", "miss", ConnectionRole.Client), (record.Command, record.Outcome, record.Role));
        Assert.Equal(TimeSpan.FromMilliseconds(2), record.Latency);
    }

    [Fact]
    public void Joined_mid_stream_binary_resyncs_at_a_plausible_header()
    {
        var driver = MemcachedWire.Driver(role: ConnectionRole.Unknown);
        driver.Feed(StreamDirection.Ingress, MemcachedWire.Concat([0x12, 0x34, 0x00], MemcachedWire.Binary(true, 0x00, 9, "key")));
        driver.Feed(StreamDirection.Egress, MemcachedWire.Binary(false, 0x00, 9, status: 1, value: "Not found"));
        var record = Assert.Single(driver.Records());
        Assert.Equal(("get", "KeyNotFound", ConnectionRole.Server), (record.Command, record.Status, record.Role));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2026)]
    public void Random_bytes_and_mutated_traffic_never_throw_and_stay_bounded(int seed)
    {
        var random = new Random(seed);
        var client = MemcachedWire.Concat(
            Encoding.ASCII.GetBytes("set k 0 0 3\r\nabc\r\nget k j\r\nmg k v q O5\r\nmn\r\n"),
            MemcachedWire.Binary(true, 0x0d, 1, "kk"), MemcachedWire.Binary(true, 0x0a, 2));
        var server = MemcachedWire.Concat(
            Encoding.ASCII.GetBytes("STORED\r\nVALUE k 0 3\r\nabc\r\nEND\r\nVA 1 O5\r\nx\r\nMN\r\n"),
            MemcachedWire.Binary(false, 0x0a, 2));
        var driver = MemcachedWire.Driver(new MemcachedParserOptions { MaxLineBytes = 1024, MaxPendingCommands = 16, MaxValueBytes = 4096 });
        MutatedTraffic.FeedRounds(driver, client, server, random, MutatedTraffic.OverwriteOrTruncate, () =>
            Assert.True(((MemcachedConnectionParser)driver.Parser).PendingCount <= 16));

        driver.Complete();
        Assert.Equal(0, ((MemcachedConnectionParser)driver.Parser).PendingCount);
        Assert.All(driver.Records(), r => Assert.NotNull(r.ToString()));
    }

    [Fact]
    public void Truncated_input_waits_and_complete_emits_the_command_alone()
    {
        var driver = MemcachedWire.Driver();
        driver.Send("get k\r\n");
        driver.Receive("VALUE k 0 10\r\nabc");
        driver.Complete();
        var record = Assert.Single(driver.Records());
        Assert.Null(record.Status);
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void Too_many_waiting_commands_emit_the_oldest_as_lost()
    {
        var driver = MemcachedWire.Driver(new MemcachedParserOptions { MaxPendingCommands = 2 });
        driver.Send("get a\r\nget b\r\nget c\r\n");
        var record = Assert.Single(driver.Records());
        Assert.True(record.DataLost);
        Assert.Equal("a", record.Resource);
    }

    [Theory]
    [InlineData("get user:1\r\n", 80)]
    [InlineData("set k 0 0 5\r\n", 80)]
    [InlineData("mg key v t\r\n", 80)]
    [InlineData("get user", 60)]
    [InlineData("STORED\r\n", 60)]
    [InlineData("VALUE k 0 5\r\n", 60)]
    [InlineData("GET / HTTP/1.1\r\n", 0)]
    [InlineData("PUB a 1\r\n", 0)]
    [InlineData("set k 0 0 x\r\n", 0)]
    public void Inference_scores_text(string head, int expected) =>
        Assert.Equal(expected, new MemcachedParser().Infer(Encoding.ASCII.GetBytes(head), StreamDirection.Egress));

    [Fact]
    public void Inference_scores_binary()
    {
        var parser = new MemcachedParser();
        Assert.Equal(80, parser.Infer(MemcachedWire.Binary(true, 0x00, 1, "key"), StreamDirection.Egress));
        var bad = MemcachedWire.Binary(true, 0x00, 1, "key");
        bad[5] = 7;
        Assert.Equal(0, parser.Infer(bad, StreamDirection.Egress));
        Assert.Equal(0, parser.Infer(MemcachedWire.Binary(true, 0x7f, 1), StreamDirection.Egress));
    }
}
