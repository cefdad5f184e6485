using System.Globalization;
using Ebpf.ProtocolTracing.Redis;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using StackExchange.Redis;

namespace Ebpf.ProtocolTracing.Tests.Integration.Redis;

/// <summary>StackExchange.Redis in this process (it pipelines everything on one connection) against a real redis-server.</summary>
[Collection("Kernel")]
public sealed class StackExchangeRedisTests
{
    private static ProtocolTracingOptions OwnProcess()
    {
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        return options;
    }

    [KernelFact]
    public async Task Pipelined_commands_each_get_their_own_reply()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var session = await TracingSession.StartAsync(OwnProcess(), [new RedisParser()]);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConfigurationString);
        var db = connection.GetDatabase();

        const int count = 40;
        var sets = Enumerable.Range(0, count).Select(i => db.StringSetAsync($"key:{i}", $"value:{i}")).ToArray();
        var incrs = Enumerable.Range(0, count).Select(_ => db.StringIncrementAsync("counter")).ToArray();
        var gets = Enumerable.Range(0, count).Select(i => db.StringGetAsync($"key:{i}")).ToArray();
        await Task.WhenAll(sets);
        var incremented = await Task.WhenAll(incrs);
        var values = await Task.WhenAll(gets);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"value:{i}"), values.Select(v => (string?)v));

        bool Mine(RedisRecord r) => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == redis.Port;
        var getRecords = await session.WaitForAsync<RedisRecord>(r => Mine(r) && r.Command == "GET" && r.Key?.StartsWith("key:", StringComparison.Ordinal) == true, count, "GETs");
        var incrRecords = await session.WaitForAsync<RedisRecord>(r => Mine(r) && r.Command == "INCR", count, "INCRs");

        foreach (var record in getRecords)
        {
            Assert.Equal($"\"value:{record.Key!["key:".Length..]}\"", record.Reply);
            Assert.Equal(ConnectionRole.Client, record.Role);
            Assert.False(record.DataLost);
            Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}");
        }

        Assert.Equal(count, getRecords.Select(r => r.Key).Distinct().Count());
        Assert.Equal(incremented.Select(v => $"(integer) {v.ToString(CultureInfo.InvariantCulture)}").Order(), incrRecords.Select(r => r.Reply).Order());
        var sets2 = session.Snapshot().OfType<RedisRecord>().Where(r => Mine(r) && r.Command == "SET").ToList();
        Assert.Equal(count, sets2.Count(r => r.Reply == "\"OK\""));
    }

    [KernelFact]
    public async Task Pubsub_messages_become_records_of_their_own()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var session = await TracingSession.StartAsync(OwnProcess(), [new RedisParser()]);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConfigurationString);
        var subscriber = connection.GetSubscriber();
        var received = new List<string>();
        var allReceived = new TaskCompletionSource();
        await subscriber.SubscribeAsync(RedisChannel.Literal("events"), (_, message) =>
        {
            lock (received)
            {
                received.Add(message!);
                if (received.Count == 3)
                {
                    allReceived.TrySetResult();
                }
            }
        });

        for (int i = 0; i < 3; i++)
        {
            await subscriber.PublishAsync(RedisChannel.Literal("events"), $"event-{i}");
        }

        await allReceived.Task.WaitAsync(TestTimeouts.Records);
        var pushes = await session.WaitForAsync<RedisRecord>(r => r.Pid == Environment.ProcessId && r.IsPush && r.Key == "events", 3, "pushed messages");
        Assert.Equal(["\"event-0\"", "\"event-1\"", "\"event-2\""], pushes.Select(p => p.Reply));
        var subscribe = await session.WaitForAsync<RedisRecord>(r => r.Pid == Environment.ProcessId && r.Command == "SUBSCRIBE" && r.Arguments.Contains("events"), 1, "SUBSCRIBE events");
        Assert.Equal(["events"], subscribe[0].Arguments);
        var publishes = await session.WaitForAsync<RedisRecord>(r => r.Pid == Environment.ProcessId && r.Command == "PUBLISH", 3, "PUBLISH");
        Assert.All(publishes, p => Assert.Equal("(integer) 1", p.Reply));
    }

    [KernelFact]
    public async Task Tracing_started_on_a_connection_in_use_gets_the_later_exchanges_right()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConfigurationString);
        var db = connection.GetDatabase();
        await db.StringSetAsync("before", "tracing");
        Assert.Equal("tracing", (string?)await db.StringGetAsync("before"));

        await using var session = await TracingSession.StartAsync(OwnProcess(), [new RedisParser()]);
        await db.StringSetAsync("after", "joined");
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("joined", (string?)await db.StringGetAsync("after"));
        }

        var records = await session.WaitForAsync<RedisRecord>(
            r => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == redis.Port && r.Command == "GET" && r.Key == "after", 4, "GETs after joining");
        Assert.All(records, r => Assert.Equal("\"joined\"", r.Reply));
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.All(records, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));
    }
}
