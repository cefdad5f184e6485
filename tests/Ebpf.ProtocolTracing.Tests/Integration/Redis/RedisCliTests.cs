using System.Diagnostics;
using System.Reflection;
using Ebpf.ProtocolTracing.Redis;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Redis;

/// <summary>redis-cli (a child process) against a real redis-server, traced from the kernel: both ends.</summary>
[Collection("Kernel")]
public sealed class RedisCliTests
{
    [KernelFact]
    public async Task Set_and_get_yield_server_records_for_redis_and_client_records_for_redis_cli()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions(), [new RedisParser()]);

        var set = await redis.CliAsync("SET", "greeting", "hello from cli");
        Assert.Equal("OK", set.StandardOutput.Trim());
        var get = await redis.CliAsync("GET", "greeting");
        Assert.Equal("hello from cli", get.StandardOutput.Trim());

        var served = await session.WaitForAsync<RedisRecord>(
            r => r.Pid == redis.Pid && r.LocalEndPoint?.Port == redis.Port && r.Command is "SET" or "GET", 2, "redis-server's side");
        var sent = await session.WaitForAsync<RedisRecord>(
            r => r.Pid == get.Pid && r.RemoteEndPoint?.Port == redis.Port && r.Command == "GET", 1, "redis-cli's side");

        var setServed = Assert.Single(served, r => r.Command == "SET");
        Assert.Equal(["greeting", "hello from cli"], setServed.Arguments);
        Assert.Equal("greeting", setServed.Resource);
        Assert.Equal("\"OK\"", setServed.Reply);
        Assert.Equal(ConnectionRole.Server, setServed.Role);
        Assert.True(setServed.Latency > TimeSpan.Zero, $"latency {setServed.Latency}");

        var getServed = Assert.Single(served, r => r.Command == "GET");
        Assert.Equal("\"hello from cli\"", getServed.Reply);
        Assert.False(getServed.DataLost);

        var getSent = Assert.Single(sent);
        Assert.Equal(ConnectionRole.Client, getSent.Role);
        Assert.Equal("redis-cli", getSent.ProcessName);
        Assert.Equal("\"hello from cli\"", getSent.Reply);
        Assert.True(getSent.Latency > TimeSpan.Zero, $"latency {getSent.Latency}");
        Assert.Equal(getSent.LocalEndPoint?.Port, getServed.RemoteEndPoint?.Port);
    }

    [KernelFact]
    public async Task Auth_password_is_redacted_in_every_record()
    {
        const string password = "Tr4cer-Secret-Pass";
        await using var redis = await RedisServer.StartAsync(password);
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions(), [new RedisParser()]);

        var run = await redis.CliAsync("INCR", "visits");
        Assert.Equal("1", run.StandardOutput.Trim());

        var auth = await session.WaitForAsync<RedisRecord>(r => r.Pid == run.Pid && r.Command == "AUTH", 1, "redis-cli's AUTH");
        await session.WaitForAsync<RedisRecord>(r => r.Pid == redis.Pid && r.Command == "AUTH", 1, "redis-server's AUTH");
        await session.WaitForAsync<RedisRecord>(r => r.Pid == redis.Pid && r.Command == "INCR", 1, "redis-server's INCR");

        Assert.Equal([RedisParserOptions.RedactedValue], auth[0].Arguments);
        Assert.Equal("\"OK\"", auth[0].Reply);
        foreach (var record in session.Snapshot().OfType<RedisRecord>().Where(r => r.LocalEndPoint?.Port == redis.Port || r.RemoteEndPoint?.Port == redis.Port))
        {
            Assert.DoesNotContain(password, record.ToString(), StringComparison.Ordinal);
            foreach (var property in typeof(RedisRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var value = property.GetValue(record);
                var text = value is IEnumerable<string> list ? string.Join("|", list) : value?.ToString() ?? string.Empty;
                Assert.DoesNotContain(password, text, StringComparison.Ordinal);
            }
        }
    }

    [KernelFact]
    public async Task Pubsub_with_redis_cli_yields_the_subscription_and_one_record_per_message()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions(), [new RedisParser()]);

        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in redis.CliArguments().Concat(["SUBSCRIBE", "news"]))
        {
            start.ArgumentList.Add(argument);
        }

        using var subscriber = Process.Start(start)!;
        try
        {
            var subscribed = await session.WaitForAsync<RedisRecord>(r => r.Pid == subscriber.Id && r.Command == "SUBSCRIBE", 1, "redis-cli's SUBSCRIBE");
            Assert.Equal(["news"], subscribed[0].Arguments);
            Assert.Equal("(integer) 1", subscribed[0].Reply);

            var published = await redis.CliAsync("PUBLISH", "news", "first");
            Assert.Equal("1", published.StandardOutput.Trim());
            await redis.CliAsync("PUBLISH", "news", "second");

            var messages = await session.WaitForAsync<RedisRecord>(r => r.Pid == subscriber.Id && r.IsPush, 2, "pushed messages at redis-cli");
            Assert.Equal(["\"first\"", "\"second\""], messages.Select(m => m.Reply));
            Assert.All(messages, m => Assert.Equal("MESSAGE", m.Command));
            Assert.All(messages, m => Assert.Equal("news", m.Resource));
            Assert.All(messages, m => Assert.Equal(ConnectionRole.Client, m.Role));

            var pushedByServer = await session.WaitForAsync<RedisRecord>(r => r.Pid == redis.Pid && r.IsPush, 2, "pushed messages at redis-server");
            Assert.All(pushedByServer, m => Assert.Equal(ConnectionRole.Server, m.Role));
        }
        finally
        {
            subscriber.Kill(entireProcessTree: true);
            await subscriber.WaitForExitAsync().WaitAsync(TestTimeouts.Process);
        }
    }
}
