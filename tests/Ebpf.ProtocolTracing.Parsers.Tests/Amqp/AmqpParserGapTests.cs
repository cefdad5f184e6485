using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using static Ebpf.ProtocolTracing.Parsers.Tests.Amqp.AmqpWire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Amqp;

/// <summary>Lost bytes: absorbed inside a body frame of known size; elsewhere the stream resyncs at the next frame.</summary>
public sealed class AmqpParserGapTests
{
    private static readonly DateTimeOffset T0 = RecordingParseContext.Epoch;

    [Fact]
    public void Gap_inside_a_body_frame_is_absorbed_and_the_real_size_kept()
    {
        var driver = Driver();
        var body = Body(1, new string('a', 100) + new string('b', 850) + new string('c', 50));
        driver.Send(Concat(Publish(1, "", "q"), Header(1, 1000), body.AsSpan(0, 7 + 100).ToArray()), T0);
        driver.Gap(StreamDirection.Egress, 850);
        driver.Send(Concat(body.AsSpan(7 + 950).ToArray(), Message(Publish(1, "", "next"), 1, "ok")));

        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.Equal(1000, records[0].BodySize);
        Assert.Equal(new string('a', 100), records[0].Body);
        Assert.False(records[0].DataLost);
        Assert.Equal(("next", "ok"), (records[1].RoutingKey, records[1].Body));
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void Gap_covering_the_rest_of_a_body_and_its_frame_end_is_absorbed()
    {
        var driver = Driver();
        var body = Body(1, new string('z', 500));
        driver.Receive(Concat(Deliver(1, "c", 9, "", "q"), Header(1, 500), body.AsSpan(0, 7).ToArray()), T0);
        driver.Gap(StreamDirection.Ingress, 501);
        driver.Receive(Message(Deliver(1, "c", 10, "", "q"), 1, "tail"));

        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.Null(records[0].Body);
        Assert.Equal(500, records[0].BodySize);
        Assert.Equal((10ul, "tail"), (records[1].DeliveryTag!.Value, records[1].Body));
    }

    [Fact]
    public void Gap_between_frames_marks_waiting_methods_lost_and_resyncs_at_the_next_frame()
    {
        var driver = Driver();
        driver.Send(QueueDeclare(1, "waiting"), T0);
        driver.Gap(StreamDirection.Ingress, 40);
        var later = QueueDeclareOk(1, "later", 0, 0);
        driver.Receive(Concat([0x00, 0x13, 0x37, 0xCE, 0x01, 0x00], later));
        driver.Send(QueueDeclare(2, "after"), T0.AddMilliseconds(5));
        driver.Receive(QueueDeclareOk(2, "after", 1, 0), T0.AddMilliseconds(6));

        var records = driver.Records();
        Assert.Equal(["waiting", "later", "after"], records.Select(r => r.Queue));
        Assert.True(records[0].DataLost);
        Assert.Null(records[0].Reply);
        Assert.Equal("queue.declare-ok", records[1].Method);
        Assert.Equal(("queue.declare-ok", TimeSpan.FromMilliseconds(1)), (records[2].Reply, records[2].Latency!.Value));
        Assert.False(records[2].DataLost);
    }

    [Fact]
    public void Gap_running_past_a_body_frame_end_is_not_absorbed()
    {
        var driver = Driver();
        driver.Send(Concat(Publish(1, "", "q"), Header(1, 10), Body(1, "0123456789").AsSpan(0, 7).ToArray()));
        Assert.False(driver.Parser.OnGap(StreamDirection.Egress, 12));
    }

    [Fact]
    public void A_bad_frame_end_is_invalid_and_the_stream_resyncs()
    {
        var driver = Driver();
        var broken = QueueDeclare(1, "broken");
        broken[^1] = 0x00;
        driver.Send(Concat(broken, QueueDeclare(1, "fine")), T0);
        driver.Receive(QueueDeclareOk(1, "fine", 0, 0), T0.AddMilliseconds(1));
        Assert.True(driver.InvalidCount > 0);
        var record = Assert.Single(driver.Records());
        Assert.Equal(("fine", "queue.declare-ok"), (record.Queue, record.Reply));
    }

    [Fact]
    public void Joined_mid_stream_inside_a_body_the_parser_finds_the_next_frame_and_learns_the_sides()
    {
        var driver = Driver(role: ConnectionRole.Unknown);
        var earlier = Message(Deliver(1, "c", 4, "", "q"), 1, "an earlier message body");
        driver.Receive(Concat(earlier.AsSpan(earlier.Length - 12).ToArray(), Message(Deliver(1, "c", 5, "", "q"), 1, "v")), T0);
        driver.Send(Concat(Ack(1, 5), Get(1, "q")), T0.AddMilliseconds(1));
        driver.Receive(GetEmpty(1), T0.AddMilliseconds(3));

        var records = driver.Records();
        Assert.Equal(["basic.deliver", "basic.ack", "basic.get"], records.Select(r => r.Method));
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.Equal((5ul, "v"), (records[0].DeliveryTag!.Value, records[0].Body));
        Assert.Equal(TimeSpan.FromMilliseconds(2), records[2].Latency);
    }

    [Fact]
    public void Joined_mid_stream_a_reply_without_its_request_is_a_record_of_its_own()
    {
        var driver = Driver(role: ConnectionRole.Unknown);
        driver.Receive(QueueDeclareOk(1, "q", 7, 0), T0);
        var record = Assert.Single(driver.Records());
        Assert.Equal(("queue.declare-ok", null, 7u), (record.Method, record.Reply, record.MessageCount!.Value));
        Assert.Equal(ConnectionRole.Client, record.Role);
    }
}
