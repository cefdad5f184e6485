using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using NATS.Client.Core;

namespace Ebpf.ProtocolTracing.Tests.Integration.Nats;

/// <summary>NATS.Client.Core in this process against a real nats-server: publish, subscribe, request/reply, joining a connection in use.</summary>
[Collection("Kernel")]
public sealed class NatsClientCoreTests
{
    private static ProtocolTracingOptions OwnProcess()
    {
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        return options;
    }

    private static NatsConnection Connect(NatsServer nats) => new(NatsOpts.Default with
    {
        Url = nats.Url,
        Name = "tracer-tests",
        AuthOpts = NatsAuthOpts.Default with { Username = NatsServer.User, Password = nats.Password },
    });

    private static bool Mine(NatsRecord r, NatsServer nats) => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == nats.Port;

    [KernelFact]
    public async Task Publish_subscribe_and_request_reply_become_records_with_subjects_sizes_and_inboxes()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var session = await TracingSession.StartAsync(OwnProcess(), [new NatsParser()]);
        await using var connection = Connect(nats);
        await connection.ConnectAsync();

        await using var orders = await connection.SubscribeCoreAsync<string>("orders.*");
        await using var service = await connection.SubscribeCoreAsync<string>("svc.echo");
        var responder = Task.Run(async () =>
        {
            var request = await service.Msgs.ReadAsync();
            await request.ReplyAsync("echo:" + request.Data);
        });
        await connection.PingAsync();

        await connection.PublishAsync("orders.created", "order-42");
        var delivered = await orders.Msgs.ReadAsync().AsTask().WaitAsync(TestTimeouts.Process);
        Assert.Equal("order-42", delivered.Data);
        await connection.PublishAsync("orders.traced", "with-headers", headers: new NatsHeaders { ["Trace-Id"] = "t-1" });
        var withHeaders = await orders.Msgs.ReadAsync().AsTask().WaitAsync(TestTimeouts.Process);
        Assert.Equal("t-1", withHeaders.Headers?["Trace-Id"].ToString());
        var reply = await connection.RequestAsync<string, string>("svc.echo", "hi").AsTask().WaitAsync(TestTimeouts.Process);
        Assert.Equal("echo:hi", reply.Data);
        await responder.WaitAsync(TestTimeouts.Process);

        var pubs = await session.WaitForAsync<NatsRecord>(r => Mine(r, nats) && r.Kind is NatsOperation.Pub or NatsOperation.HPub, 4, "publishes");
        var msgs = await session.WaitForAsync<NatsRecord>(r => Mine(r, nats) && r.Kind is NatsOperation.Msg or NatsOperation.HMsg, 4, "deliveries");
        var subs = await session.WaitForAsync<NatsRecord>(r => Mine(r, nats) && r.Kind == NatsOperation.Sub, 2, "subscriptions");
        var pings = await session.WaitForAsync<NatsRecord>(r => Mine(r, nats) && r.Kind == NatsOperation.Ping && r.Reply == "PONG", 1, "pings");

        var order = Assert.Single(pubs, r => r.Subject == "orders.created");
        Assert.Equal("order-42".Length, order.PayloadSize);
        Assert.Equal("order-42", order.Payload);
        Assert.Equal(ConnectionRole.Client, order.Role);

        var hpub = Assert.Single(pubs, r => r.Subject == "orders.traced");
        Assert.Equal(NatsOperation.HPub, hpub.Kind);
        Assert.Contains(new KeyValuePair<string, string>("Trace-Id", "t-1"), hpub.Headers);
        Assert.Equal("with-headers", hpub.Payload);
        Assert.True(hpub.HeaderSize > 0);
        var hmsg = Assert.Single(msgs, r => r.Subject == "orders.traced");
        Assert.Equal(NatsOperation.HMsg, hmsg.Kind);
        Assert.Equal("with-headers".Length, hmsg.PayloadSize);

        var request = Assert.Single(pubs, r => r.Subject == "svc.echo");
        Assert.NotNull(request.ReplyTo);
        var answer = Assert.Single(pubs, r => r.Subject == request.ReplyTo);
        Assert.Equal("echo:hi", answer.Payload);
        Assert.Single(msgs, r => r.Subject == "svc.echo" && r.ReplyTo == request.ReplyTo);
        var answerDelivered = Assert.Single(msgs, r => r.Subject == request.ReplyTo);
        Assert.Equal("echo:hi".Length, answerDelivered.PayloadSize);
        Assert.Single(msgs, r => r.Subject == "orders.created" && r.Payload == "order-42");
        Assert.Contains(subs, r => r.Subject == "orders.*");
        Assert.All(pings, p => Assert.True(p.Latency > TimeSpan.Zero, $"latency {p.Latency}"));

        var connect = await session.WaitForAsync<NatsRecord>(r => Mine(r, nats) && r.Kind == NatsOperation.Connect, 1, "CONNECT");
        Assert.Equal("tracer-tests", connect[0].Name);
        Assert.Contains("pass=" + NatsParserOptions.RedactedValue, connect[0].Credentials);
        NatsRecordAssertions.NoRecordHolds(session, nats, nats.Password);
    }

    [KernelFact]
    public async Task Tracer_started_after_the_connection_is_up_still_gets_later_messages()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var connection = Connect(nats);
        await connection.ConnectAsync();
        await using var subscription = await connection.SubscribeCoreAsync<string>("late.>");
        await connection.PublishAsync("late.before", new string('b', 3000));
        await subscription.Msgs.ReadAsync().AsTask().WaitAsync(TestTimeouts.Process);

        await using var session = await TracingSession.StartAsync(OwnProcess(), [new NatsParser()]);
        for (int i = 0; i < 3; i++)
        {
            await connection.PublishAsync("late.after", $"after-{i}");
            var message = await subscription.Msgs.ReadAsync().AsTask().WaitAsync(TestTimeouts.Process);
            Assert.Equal($"after-{i}", message.Data);
        }

        var pubs = await session.WaitForAsync<NatsRecord>(r => Mine(r, nats) && r.Kind == NatsOperation.Pub && r.Subject == "late.after", 3, "publishes after the join");
        var msgs = await session.WaitForAsync<NatsRecord>(r => Mine(r, nats) && r.Kind == NatsOperation.Msg && r.Subject == "late.after", 3, "deliveries after the join");
        Assert.Equal(["after-0", "after-1", "after-2"], pubs.Select(p => p.Payload));
        Assert.Equal(["after-0", "after-1", "after-2"], msgs.Select(p => p.Payload));
        Assert.All(pubs, p => Assert.Equal(ConnectionRole.Client, p.Role));
        Assert.All(msgs, m => Assert.Equal("after-0".Length, m.PayloadSize));
    }
}
