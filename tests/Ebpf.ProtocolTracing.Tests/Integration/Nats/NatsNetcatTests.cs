using System.Globalization;
using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Nats;

/// <summary>nc (a child process) speaking the NATS text protocol to a real nats-server, traced from the kernel: both ends.</summary>
[Collection("Kernel")]
public sealed class NatsNetcatTests
{
    [KernelFact]
    public async Task Verbose_session_yields_acknowledged_operations_at_both_ends_and_no_password()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions(), [new NatsParser()]);

        string connect = string.Create(CultureInfo.InvariantCulture,
            $"CONNECT {{\"verbose\":true,\"pedantic\":false,\"user\":\"{NatsServer.User}\",\"pass\":\"{nats.Password}\",\"name\":\"nc-client\",\"lang\":\"shell\",\"version\":\"1\"}}\r\n");
        var (pid, output) = await nats.NetcatAsync(
            connect + "SUB greetings 1\r\nPUB greetings 5\r\nhello\r\nPING\r\n", "PONG\r\n");
        Assert.Contains("MSG greetings 1 5\r\nhello\r\n", output, StringComparison.Ordinal);

        bool Client(NatsRecord r) => r.Pid == pid && r.RemoteEndPoint?.Port == nats.Port;
        bool Server(NatsRecord r) => r.Pid == nats.Pid && r.LocalEndPoint?.Port == nats.Port;
        var clientSide = await session.WaitForAsync<NatsRecord>(
            r => Client(r) && r.Kind is NatsOperation.Connect or NatsOperation.Sub or NatsOperation.Pub or NatsOperation.Msg or NatsOperation.Ping or NatsOperation.Info, 6, "nc's side");
        var serverSide = await session.WaitForAsync<NatsRecord>(
            r => Server(r) && r.Kind is NatsOperation.Connect or NatsOperation.Sub or NatsOperation.Pub or NatsOperation.Msg or NatsOperation.Ping, 5, "nats-server's side");

        var info = Assert.Single(clientSide, r => r.Kind == NatsOperation.Info);
        Assert.False(string.IsNullOrEmpty(info.ServerId));

        var pub = Assert.Single(clientSide, r => r.Kind == NatsOperation.Pub);
        Assert.Equal(("greetings", 5L, "hello", "+OK"), (pub.Subject, pub.PayloadSize, pub.Payload, pub.Reply));
        Assert.Equal(ConnectionRole.Client, pub.Role);
        Assert.Equal("nc", pub.ProcessName);
        Assert.True(pub.Latency > TimeSpan.Zero, $"latency {pub.Latency}");

        var connectRecord = Assert.Single(clientSide, r => r.Kind == NatsOperation.Connect);
        Assert.Equal("nc-client", connectRecord.Name);
        Assert.True(connectRecord.Verbose);
        Assert.Contains("pass=" + NatsParserOptions.RedactedValue, connectRecord.Credentials);
        Assert.Equal("+OK", connectRecord.Reply);

        var ping = Assert.Single(clientSide, r => r.Kind == NatsOperation.Ping);
        Assert.Equal("PONG", ping.Reply);
        Assert.True(ping.Latency > TimeSpan.Zero, $"latency {ping.Latency}");

        var msg = Assert.Single(clientSide, r => r.Kind == NatsOperation.Msg);
        Assert.Equal(("greetings", "1", 5L), (msg.Subject, msg.Sid, msg.PayloadSize));

        var served = Assert.Single(serverSide, r => r.Kind == NatsOperation.Pub);
        Assert.Equal(ConnectionRole.Server, served.Role);
        Assert.Equal("+OK", served.Reply);
        Assert.True(served.Latency > TimeSpan.Zero, $"latency {served.Latency}");
        Assert.Equal(pub.LocalEndPoint?.Port, served.RemoteEndPoint?.Port);
        Assert.Single(serverSide, r => r.Kind == NatsOperation.Sub && r.Subject == "greetings" && r.Reply == "+OK");

        NatsRecordAssertions.NoRecordHolds(session, nats, nats.Password);
    }

    [KernelFact]
    public async Task Wrong_password_yields_an_error_record_and_the_tried_password_reaches_no_record()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions(), [new NatsParser()]);
        const string tried = "Wrong-Guess-Password-17";

        var (pid, output) = await nats.NetcatAsync(
            $"CONNECT {{\"verbose\":false,\"user\":\"{NatsServer.User}\",\"pass\":\"{tried}\"}}\r\nPING\r\n", "-ERR");
        Assert.Contains("Authorization Violation", output, StringComparison.Ordinal);

        var errors = await session.WaitForAsync<NatsRecord>(
            r => r.Pid == pid && r.RemoteEndPoint?.Port == nats.Port && r.Kind == NatsOperation.Err, 1, "nc's -ERR");
        Assert.True(errors[0].IsError);
        Assert.Equal("-ERR", errors[0].Outcome);
        Assert.Equal("Authorization Violation", errors[0].ErrorMessage);
        await session.WaitForAsync<NatsRecord>(r => r.Pid == pid && r.Kind == NatsOperation.Connect, 1, "nc's CONNECT");
        NatsRecordAssertions.NoRecordHolds(session, nats, tried);
    }
}
