using Ebpf.ProtocolTracing.Amqp;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using static Ebpf.ProtocolTracing.Tests.Integration.Amqp.AmqpRecordAssertions;

namespace Ebpf.ProtocolTracing.Tests.Integration.Amqp;

/// <summary>amqp-tools (librabbitmq's command-line clients, from apt, as child processes) against a real RabbitMQ node.</summary>
[Collection("Kernel")]
public sealed class AmqpToolsTests(SharedRabbitMqServer shared) : IClassFixture<SharedRabbitMqServer>
{
    [KernelFact]
    public async Task Declare_publish_and_get_from_the_command_line_are_traced()
    {
        var broker = await shared.GetAsync();
        string queue = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        await using var session = await TracingSession.StartAsync(options, [new AmqpParser()]);

        var declare = await RunAsync("amqp-declare-queue", ["--url=" + broker.Uri, "-q", queue]);
        var publish = await RunAsync("amqp-publish", ["--url=" + broker.Uri, "-r", queue, "-C", "text/plain", "-b", "from the command line"]);
        var get = await RunAsync("amqp-get", ["--url=" + broker.Uri, "-q", queue]);
        Assert.Equal("from the command line", get.StandardOutput.Trim());

        var declared = (await session.WaitForAsync<AmqpRecord>(r => ClientOf(r, broker, declare.Pid) && r.Method == "queue.declare" && r.Reply is not null, 1, "amqp-declare-queue"))[0];
        Assert.Equal((queue, "queue.declare-ok"), (declared.Queue, declared.Reply));
        Assert.True(declared.Latency > TimeSpan.Zero, $"latency {declared.Latency}");

        var published = (await session.WaitForAsync<AmqpRecord>(r => ClientOf(r, broker, publish.Pid) && r.Method == "basic.publish", 1, "amqp-publish"))[0];
        Assert.Equal((queue, "from the command line", "text/plain"), (published.RoutingKey, published.Body, published.ContentType));
        Assert.Null(published.Reply);

        var got = (await session.WaitForAsync<AmqpRecord>(r => ClientOf(r, broker, get.Pid) && r.Method == "basic.get" && r.Reply is not null, 1, "amqp-get"))[0];
        Assert.Equal(("basic.get-ok", "from the command line", 21L), (got.Reply, got.Body, got.BodySize!.Value));
        Assert.True(got.Latency > TimeSpan.Zero, $"latency {got.Latency}");

        // The broker's side of the same exchange, traced in its own process.
        var brokerSide = await session.WaitForAsync<AmqpRecord>(
            r => r.Role == ConnectionRole.Server && r.LocalEndPoint?.Port == broker.Port && r.Method == "basic.get" && r.Queue == queue, 1, "the broker's side");
        Assert.Equal("basic.get-ok", brokerSide[0].Reply);

        await session.WaitForAsync<AmqpRecord>(r => ClientOf(r, broker, get.Pid) && r.Method == "connection.start" && r.Secret == AmqpParserOptions.RedactedValue, 1, "amqp-get's handshake");
        NoRecordHolds(session, broker.Password);
    }

    private static async Task<ProcessRun> RunAsync(string tool, string[] arguments)
    {
        var run = await ProcessRun.RunAsync(tool, arguments, TestTimeouts.Process);
        Assert.True(run.ExitCode == 0, $"{tool} failed ({run.ExitCode}): {run.StandardError}");
        return run;
    }
}
