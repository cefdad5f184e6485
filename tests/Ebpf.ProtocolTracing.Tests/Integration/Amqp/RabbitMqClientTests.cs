using System.Text;
using Ebpf.ProtocolTracing.Amqp;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using static Ebpf.ProtocolTracing.Tests.Integration.Amqp.AmqpRecordAssertions;

namespace Ebpf.ProtocolTracing.Tests.Integration.Amqp;

/// <summary>
/// RabbitMQ.Client in this process against a real RabbitMQ node: declare, publish with confirms, consume,
/// get, a failing declare that closes its channel, and joining a connection already in use.
/// </summary>
[Collection("Kernel")]
public sealed class RabbitMqClientTests(SharedRabbitMqServer shared) : IClassFixture<SharedRabbitMqServer>
{
    private static ProtocolTracingOptions OwnProcess()
    {
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        return options;
    }

    private static Task<IConnection> ConnectAsync(RabbitMqServer broker) => new ConnectionFactory
    {
        HostName = "127.0.0.1",
        Port = broker.Port,
        UserName = RabbitMqServer.User,
        Password = broker.Password,
        ClientProvidedName = "tracer-tests",
    }.CreateConnectionAsync();

    private static bool Mine(AmqpRecord record, RabbitMqServer broker) => ClientOf(record, broker, Environment.ProcessId);

    [KernelFact]
    public async Task Declare_publish_consume_get_and_a_failing_declare_become_records()
    {
        var broker = await shared.GetAsync();
        string queue = "orders-" + Guid.NewGuid().ToString("N")[..8];
        await using var session = await TracingSession.StartAsync(OwnProcess(), [new AmqpParser()]);
        await using var connection = await ConnectAsync(broker);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

        var declared = await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
        Assert.Equal(queue, declared.QueueName);
        var properties = new BasicProperties { ContentType = "text/plain", MessageId = "msg-1", DeliveryMode = DeliveryModes.Persistent };
        await channel.BasicPublishAsync("", queue, mandatory: false, properties, Encoding.UTF8.GetBytes("first order"));
        await channel.BasicPublishAsync("", queue, mandatory: false, new BasicProperties { MessageId = "msg-2" }, Encoding.UTF8.GetBytes("second order"));

        var got = await channel.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(got);
        Assert.Equal("first order", Encoding.UTF8.GetString(got.Body.Span));

        var delivered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, message) =>
        {
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false);
            delivered.TrySetResult(Encoding.UTF8.GetString(message.Body.Span));
        };
        string consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        Assert.Equal("second order", await delivered.Task.WaitAsync(TestTimeouts.Process));
        await channel.BasicCancelAsync(consumerTag);
        Assert.Null(await channel.BasicGetAsync(queue, autoAck: true));

        await using (var doomed = await connection.CreateChannelAsync())
        {
            var failure = await Assert.ThrowsAsync<OperationInterruptedException>(() => doomed.QueueDeclarePassiveAsync("missing-" + queue));
            Assert.Equal((ushort)404, failure.ShutdownReason?.ReplyCode);
        }

        var declares = await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "queue.declare" && r.Queue == queue && r.Reply is not null, 1, "queue.declare");
        var declare = declares[0];
        Assert.Equal("queue.declare-ok", declare.Reply);
        Assert.Equal((0u, 0u), (declare.MessageCount!.Value, declare.ConsumerCount!.Value));
        Assert.True(declare.Latency > TimeSpan.Zero, $"latency {declare.Latency}");
        Assert.Equal(broker.Port, declare.RemoteEndPoint!.Port);
        Assert.Equal(Environment.ProcessId, declare.Pid);

        var publishes = await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "basic.publish" && r.RoutingKey == queue, 2, "publishes");
        var first = Assert.Single(publishes, p => p.MessageId == "msg-1");
        Assert.Equal(("first order", 11L, "text/plain", (byte)2), (first.Body, first.BodySize!.Value, first.ContentType, first.DeliveryMode!.Value));
        Assert.Equal("basic.ack", first.Reply);
        Assert.Equal(1ul, first.PublishSequence);
        Assert.True(first.Latency > TimeSpan.Zero, $"confirm latency {first.Latency}");
        Assert.Single(publishes, p => p.MessageId == "msg-2" && p.PublishSequence == 2);

        var gets = await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "basic.get" && r.Queue == queue, 2, "basic.get");
        Assert.Equal(("basic.get-ok", "first order", "msg-1"), (gets[0].Reply, gets[0].Body, gets[0].MessageId));
        Assert.True(gets[0].Latency > TimeSpan.Zero);
        Assert.Equal("basic.get-empty", gets[1].Reply);

        var consume = (await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "basic.consume" && r.Queue == queue, 1, "basic.consume"))[0];
        Assert.Equal(("basic.consume-ok", consumerTag), (consume.Reply, consume.ConsumerTag));
        var delivery = (await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "basic.deliver" && r.ConsumerTag == consumerTag, 1, "basic.deliver"))[0];
        Assert.Equal(("second order", "msg-2", queue), (delivery.Body, delivery.MessageId, delivery.RoutingKey));
        await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "basic.ack" && r.DeliveryTag == delivery.DeliveryTag && r.Channel == delivery.Channel, 1, "the consumer's ack");

        var failed = (await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "queue.declare" && r.Queue == "missing-" + queue && r.Reply is not null, 1, "the failing declare"))[0];
        Assert.Equal(("channel.close", (ushort)404, "queue.declare"), (failed.Reply, failed.ReplyCode!.Value, failed.FailedMethod));
        Assert.True(failed.IsError);
        Assert.StartsWith("404", failed.Outcome, StringComparison.Ordinal);
        await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "channel.close" && r.ReplyCode == 404 && r.Reply == "channel.close-ok", 1, "the broker's channel.close");

        var start = (await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "connection.start" && r.Reply is not null, 1, "connection.start"))[0];
        Assert.Equal(("PLAIN", AmqpParserOptions.RedactedValue), (start.Mechanism, start.Secret));
        NoRecordHolds(session, broker.Password);
    }

    [KernelFact]
    public async Task Tracer_started_after_the_connection_is_up_still_gets_later_methods()
    {
        var broker = await shared.GetAsync();
        string queue = "late-" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = await ConnectAsync(broker);
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
        await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes(new string('b', 3000)));
        Assert.NotNull(await channel.BasicGetAsync(queue, autoAck: true));

        await using var session = await TracingSession.StartAsync(OwnProcess(), [new AmqpParser()]);
        for (int i = 0; i < 3; i++)
        {
            await channel.BasicPublishAsync("", queue, mandatory: false, new BasicProperties { MessageId = $"after-{i}" }, Encoding.UTF8.GetBytes($"after-{i}"));
            var got = await channel.BasicGetAsync(queue, autoAck: true);
            Assert.Equal($"after-{i}", Encoding.UTF8.GetString(got!.Body.Span));
        }

        var publishes = await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "basic.publish" && r.RoutingKey == queue, 3, "publishes after the join");
        var gets = await session.WaitForAsync<AmqpRecord>(r => Mine(r, broker) && r.Method == "basic.get" && r.Reply == "basic.get-ok" && r.Queue == queue, 3, "gets after the join");
        Assert.Equal(["after-0", "after-1", "after-2"], publishes.Select(p => p.Body));
        Assert.Equal(["after-0", "after-1", "after-2"], gets.Select(g => g.Body));
        Assert.Equal(["after-0", "after-1", "after-2"], gets.Select(g => g.MessageId));
        Assert.All(gets, g => Assert.True(g.Latency > TimeSpan.Zero, $"latency {g.Latency}"));
        Assert.All(publishes, p => Assert.Equal(ConnectionRole.Client, p.Role));
    }
}
