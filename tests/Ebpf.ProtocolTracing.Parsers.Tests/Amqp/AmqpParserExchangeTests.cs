using Ebpf.ProtocolTracing.Amqp;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using static Ebpf.ProtocolTracing.Parsers.Tests.Amqp.AmqpWire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Amqp;

/// <summary>Methods paired with replies, content gathered, confirms matched, closes as errors.</summary>
public sealed class AmqpParserExchangeTests
{
    private static readonly DateTimeOffset T0 = RecordingParseContext.Epoch;

    [Fact]
    public void Handshake_pairs_each_connection_method_with_its_reply()
    {
        var driver = Driver();
        driver.Send(ProtocolHeader, T0);
        driver.Receive(ConnectionStart(), T0.AddMilliseconds(1));
        driver.Send(StartOk("guest", "guest"), T0.AddMilliseconds(2));
        driver.Receive(Tune(), T0.AddMilliseconds(3));
        driver.Send(Concat(TuneOk(), ConnectionOpen("/prod")), T0.AddMilliseconds(4));
        driver.Receive(ConnectionOpenOk(), T0.AddMilliseconds(6));

        var records = driver.Records();
        Assert.Equal(["connection.start", "connection.tune", "connection.open"], records.Select(r => r.Method));
        Assert.Equal(["connection.start-ok", "connection.tune-ok", "connection.open-ok"], records.Select(r => r.Reply));
        Assert.Equal("PLAIN", records[0].Mechanism);
        Assert.Equal(AmqpParserOptions.RedactedValue, records[0].Secret);
        Assert.Equal(TimeSpan.FromMilliseconds(1), records[0].Latency);
        Assert.Equal((ushort)30, records[1].Heartbeat);
        Assert.Equal(131072u, records[1].FrameMax);
        Assert.Equal("/prod", records[2].VirtualHost);
        Assert.Equal("/prod", records[2].Resource);
        Assert.Equal(TimeSpan.FromMilliseconds(2), records[2].Latency);
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.All(records, r => Assert.False(r.IsError));
        Assert.Equal("open-ok", records[2].Outcome);
    }

    [Fact]
    public void Queue_declare_gets_its_declare_ok_counts_and_a_server_named_queue()
    {
        var driver = Driver();
        driver.Send(QueueDeclare(1, ""), T0);
        driver.Receive(QueueDeclareOk(1, "amq.gen-abc", 3, 1), T0.AddMilliseconds(2));

        var record = Assert.Single(driver.Records());
        Assert.Equal("queue.declare", record.Operation);
        Assert.Equal("queue.declare-ok", record.Reply);
        Assert.Equal("amq.gen-abc", record.Queue);
        Assert.Equal((3u, 1u), (record.MessageCount!.Value, record.ConsumerCount!.Value));
        Assert.Equal((ushort)1, record.Channel);
        Assert.Equal(TimeSpan.FromMilliseconds(2), record.Latency);
        Assert.Equal("declare-ok", record.Outcome);
        Assert.Equal("amq.gen-abc", record.Resource);
    }

    [Fact]
    public void A_no_wait_declare_is_a_record_at_once_and_does_not_take_the_next_reply()
    {
        var driver = Driver();
        driver.Send(Concat(QueueDeclare(1, "a", noWait: true), QueueDeclare(1, "b")), T0);
        driver.Receive(QueueDeclareOk(1, "b", 0, 0), T0.AddMilliseconds(1));

        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.Equal(("a", null), (records[0].Queue, records[0].Reply));
        Assert.Null(records[0].Latency);
        Assert.Equal(("b", "queue.declare-ok"), (records[1].Queue, records[1].Reply));
    }

    [Fact]
    public void Publish_outside_confirm_mode_is_a_record_with_its_content_and_no_reply()
    {
        var driver = Driver();
        driver.Send(Message(Publish(1, "orders", "eu.new"), 1, "{\"id\":7}", "application/json", "m-1"), T0);

        var record = Assert.Single(driver.Records());
        Assert.Equal("basic.publish", record.Method);
        Assert.Equal(("orders", "eu.new"), (record.Exchange, record.RoutingKey));
        Assert.Equal(8, record.BodySize);
        Assert.Equal("{\\\"id\\\":7}", record.Body);
        Assert.Equal("application/json", record.ContentType);
        Assert.Equal((byte)2, record.DeliveryMode);
        Assert.Equal("m-1", record.MessageId);
        Assert.Null(record.Reply);
        Assert.Null(record.Latency);
        Assert.Equal("orders/eu.new", record.Resource);
        Assert.Null(record.Outcome);
    }

    [Fact]
    public void A_body_in_several_frames_is_gathered_and_only_its_start_kept()
    {
        var driver = Driver(new AmqpParserOptions { MaxBodyBytes = 5 });
        driver.Send(Concat(Publish(1, "", "q"), Header(1, 9), Body(1, "abc"), Body(1, "defghi")), T0);
        var record = Assert.Single(driver.Records());
        Assert.Equal(9, record.BodySize);
        Assert.Equal("abcde", record.Body);
        Assert.Equal("q", record.Resource);
    }

    [Fact]
    public void An_empty_body_ends_with_the_header()
    {
        var driver = Driver();
        driver.Send(Message(Publish(1, "x", "k"), 1, ""), T0);
        var record = Assert.Single(driver.Records());
        Assert.Equal(0, record.BodySize);
        Assert.Equal(string.Empty, record.Body);
    }

    [Fact]
    public void Publishes_in_confirm_mode_get_the_server_ack_including_a_multiple_one_and_a_nack()
    {
        var driver = Driver();
        driver.Send(ConfirmSelect(1), T0);
        driver.Receive(ConfirmSelectOk(1), T0.AddMilliseconds(1));
        driver.Send(Concat(Message(Publish(1, "", "q"), 1, "one"), Message(Publish(1, "", "q"), 1, "two"), Message(Publish(1, "", "q"), 1, "three")), T0.AddMilliseconds(2));
        driver.Receive(Ack(1, 2, multiple: true), T0.AddMilliseconds(5));
        driver.Receive(Nack(1, 3), T0.AddMilliseconds(7));

        var records = driver.Records();
        Assert.Equal(["confirm.select", "basic.publish", "basic.publish", "basic.publish"], records.Select(r => r.Method));
        Assert.Equal(["one", "two", "three"], records.Skip(1).Select(r => r.Body));
        Assert.Equal([1ul, 2ul, 3ul], records.Skip(1).Select(r => r.PublishSequence!.Value));
        Assert.Equal(["basic.ack", "basic.ack", "basic.nack"], records.Skip(1).Select(r => r.Reply));
        Assert.Equal(TimeSpan.FromMilliseconds(3), records[1].Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(5), records[3].Latency);
        Assert.False(records[2].IsError);
        Assert.True(records[3].IsError);
        Assert.Equal("nack", records[3].Outcome);
    }

    [Fact]
    public void A_delivery_is_a_server_push_record_and_the_consumer_ack_one_of_its_own()
    {
        var driver = Driver();
        driver.Send(Consume(1, "jobs", ""), T0);
        driver.Receive(Concat(ConsumeOk(1, "amq.ctag-1"), Message(Deliver(1, "amq.ctag-1", 1, "", "jobs"), 1, "work")), T0.AddMilliseconds(1));
        driver.Send(Ack(1, 1), T0.AddMilliseconds(2));

        var records = driver.Records();
        Assert.Equal(["basic.consume", "basic.deliver", "basic.ack"], records.Select(r => r.Method));
        Assert.Equal("amq.ctag-1", records[0].ConsumerTag);
        Assert.Equal("jobs", records[0].Queue);
        Assert.Equal(("amq.ctag-1", 1ul, "work", "jobs"), (records[1].ConsumerTag, records[1].DeliveryTag!.Value, records[1].Body, records[1].RoutingKey));
        Assert.Null(records[1].Latency);
        Assert.Equal(1ul, records[2].DeliveryTag);
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));
    }

    [Fact]
    public void Basic_get_gets_get_ok_with_the_message_or_get_empty()
    {
        var driver = Driver();
        driver.Send(Get(1, "jobs"), T0);
        driver.Receive(Message(GetOk(1, 5, "", "jobs", 2), 1, "payload"), T0.AddMilliseconds(3));
        driver.Send(Get(1, "jobs"), T0.AddMilliseconds(4));
        driver.Receive(GetEmpty(1), T0.AddMilliseconds(5));

        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.Equal(("basic.get", "basic.get-ok", "jobs", "payload"), (records[0].Method, records[0].Reply, records[0].Queue, records[0].Body));
        Assert.Equal((5ul, 2u), (records[0].DeliveryTag!.Value, records[0].MessageCount!.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(3), records[0].Latency);
        Assert.Equal(("basic.get-empty", "get-empty"), (records[1].Reply, records[1].Outcome));
        Assert.Null(records[1].Body);
    }

    [Fact]
    public void A_failing_declare_gets_the_channel_close_as_its_error_and_the_close_is_a_record_too()
    {
        var driver = Driver();
        driver.Send(QueueDeclare(1, "missing", passive: true), T0);
        driver.Receive(ChannelClose(1, 404, "NOT_FOUND - no queue 'missing' in vhost '/'", 50, 10), T0.AddMilliseconds(2));
        driver.Send(ChannelCloseOk(1), T0.AddMilliseconds(3));

        var records = driver.Records();
        Assert.Equal(["queue.declare", "channel.close"], records.Select(r => r.Method));
        var declare = records[0];
        Assert.Equal("channel.close", declare.Reply);
        Assert.Equal((ushort)404, declare.ReplyCode);
        Assert.StartsWith("NOT_FOUND", declare.ReplyText, StringComparison.Ordinal);
        Assert.Equal("queue.declare", declare.FailedMethod);
        Assert.True(declare.IsError);
        Assert.Equal("404 NOT_FOUND", declare.Outcome);
        Assert.Equal(TimeSpan.FromMilliseconds(2), declare.Latency);
        var close = records[1];
        Assert.Equal(("channel.close-ok", (ushort)404), (close.Reply, close.ReplyCode));
        Assert.True(close.IsError);
        Assert.Equal(TimeSpan.FromMilliseconds(1), close.Latency);
    }

    [Fact]
    public void A_normal_connection_close_is_not_an_error()
    {
        var driver = Driver();
        driver.Send(ConnectionClose(200, "Goodbye"), T0);
        driver.Receive(ConnectionCloseOk(), T0.AddMilliseconds(1));
        var record = Assert.Single(driver.Records());
        Assert.Equal(("connection.close", "connection.close-ok", (ushort)200), (record.Method, record.Reply, record.ReplyCode));
        Assert.False(record.IsError);
        Assert.Equal("close-ok", record.Outcome);
    }

    [Fact]
    public void Channels_are_matched_independently_and_heartbeats_make_no_record()
    {
        var driver = Driver();
        driver.Send(Concat(ChannelOpen(1), ChannelOpen(2), Heartbeat), T0);
        driver.Receive(Concat(Heartbeat, ChannelOpenOk(2), ChannelOpenOk(1)), T0.AddMilliseconds(1));
        var records = driver.Records();
        Assert.Equal([(ushort)2, (ushort)1], records.Select(r => r.Channel));
        Assert.All(records, r => Assert.Equal("channel.open-ok", r.Reply));
    }

    [Fact]
    public void On_the_broker_side_the_role_is_server_and_the_directions_swap()
    {
        var driver = Driver(role: ConnectionRole.Server);
        driver.Receive(QueueDeclare(3, "q"), T0);
        driver.Send(QueueDeclareOk(3, "q", 0, 0), T0.AddMilliseconds(1));
        var record = Assert.Single(driver.Records());
        Assert.Equal(("queue.declare", "queue.declare-ok", ConnectionRole.Server), (record.Method, record.Reply, record.Role));
    }

    [Fact]
    public void Complete_emits_what_waits_without_a_reply()
    {
        var driver = Driver();
        driver.Send(QueueDeclare(1, "q"), T0);
        driver.Complete();
        var record = Assert.Single(driver.Records());
        Assert.Null(record.Reply);
        Assert.False(record.DataLost);
    }

    [Fact]
    public void Summary_line_names_the_method_resource_reply_and_latency()
    {
        var driver = Driver();
        driver.Send(QueueDeclare(1, "orders"), T0);
        driver.Receive(QueueDeclareOk(1, "orders", 0, 0), T0.AddMilliseconds(1));
        Assert.Equal("amqp ch1 queue.declare orders -> queue.declare-ok in 1 ms Client", Assert.Single(driver.Records()).ToString());
    }
}
