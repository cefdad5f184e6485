using System.Text;
using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Nats;

/// <summary>Lost bytes: absorbed inside a payload of known size; elsewhere the stream resyncs at the next line.</summary>
public sealed class NatsParserGapTests
{
    [Fact]
    public void Gap_inside_a_payload_is_absorbed_and_the_real_size_kept()
    {
        var driver = NatsWire.Driver();
        var head = Encoding.ASCII.GetBytes("PUB big 1000\r\n" + new string('a', 100));
        driver.Feed(StreamDirection.Egress, head);
        driver.Gap(StreamDirection.Egress, 850);
        driver.Send(new string('b', 50) + "\r\n" + NatsWire.Pub("next", "ok"));

        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.Equal(1000, records[0].PayloadSize);
        Assert.Equal(new string('a', 100), records[0].Payload);
        Assert.False(records[0].DataLost);
        Assert.Equal("next", records[1].Subject);
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void Gap_covering_the_whole_payload_leaves_no_preview_but_the_size()
    {
        var driver = NatsWire.Driver();
        driver.Receive("MSG s 1 500\r\n");
        driver.Gap(StreamDirection.Ingress, 502);
        driver.Receive(NatsWire.Msg("s", "1", "tail"));
        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.Null(records[0].Payload);
        Assert.Equal(500, records[0].PayloadSize);
        Assert.Equal("tail", records[1].Payload);
    }

    [Fact]
    public void Gap_between_lines_resyncs_at_the_next_operation_and_marks_waiting_ones_lost()
    {
        var driver = NatsWire.Driver();
        driver.Send("PING\r\n");
        driver.Gap(StreamDirection.Ingress, 37);
        driver.Receive("ayload rest\r\nMSG after 2 1\r\nx\r\n");

        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.Equal(NatsOperation.Ping, records[0].Kind);
        Assert.True(records[0].DataLost);
        Assert.Null(records[0].Reply);
        Assert.Equal(("after", "x"), (records[1].Subject, records[1].Payload));
    }

    [Fact]
    public void Gap_running_past_a_payload_end_is_not_absorbed()
    {
        var driver = NatsWire.Driver();
        driver.Send("PUB s 10\r\n");
        Assert.False(driver.Parser.OnGap(StreamDirection.Egress, 20));
    }

    [Fact]
    public void Joined_mid_stream_inside_a_payload_the_parser_finds_the_next_line_and_learns_the_sides()
    {
        var driver = NatsWire.Driver(role: ConnectionRole.Unknown);
        driver.Receive("of an earlier message\r\n" + NatsWire.Msg("later", "4", "v"), RecordingParseContext.Epoch);
        driver.Send(NatsWire.Pub("reply.here", "r") + "PING\r\n", RecordingParseContext.Epoch.AddMilliseconds(1));
        driver.Receive("PONG\r\n", RecordingParseContext.Epoch.AddMilliseconds(3));

        var records = driver.Records();
        Assert.Equal([NatsOperation.Msg, NatsOperation.Pub, NatsOperation.Ping], records.Select(r => r.Kind));
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.Equal("later", records[0].Subject);
        Assert.Equal(TimeSpan.FromMilliseconds(2), records[2].Latency);
    }
}
