using System.Buffers.Binary;
using System.Text;
using Ebpf.ProtocolTracing.Memcached;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Memcached;

/// <summary>Hand-built binary and text requests from a socket of this process to a real memcached.</summary>
[Collection("Kernel")]
public sealed class MemcachedSocketTests
{
    private static ProtocolTracingOptions OwnProcess()
    {
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        return options;
    }

    private static bool Mine(MemcachedRecord r, MemcachedServer memcached) => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == memcached.Port;

    [KernelFact]
    public async Task Binary_requests_pair_by_opaque_with_quiet_misses_implied()
    {
        await using var memcached = await MemcachedServer.StartAsync();
        await using var session = await TracingSession.StartAsync(OwnProcess(), [new MemcachedParser()]);
        using var socket = await memcached.ConnectAsync();

        var noopAnswer = Binary(0x81, 0x0a, 0x104);
        var answer = await MemcachedServer.ExchangeAsync(socket, [
            .. Binary(0x80, 0x01, 0x101, "bin:key", extras: 8, value: "binary-value"),
            .. Binary(0x80, 0x00, 0x102, "bin:key"),
            .. Binary(0x80, 0x0d, 0x103, "bin:missing"),
            .. Binary(0x80, 0x0a, 0x104),
        ], noopAnswer);
        Assert.Contains("binary-value", Encoding.Latin1.GetString(answer), StringComparison.Ordinal);

        var records = await session.WaitForAsync<MemcachedRecord>(r => Mine(r, memcached), 4, "binary records");
        Assert.Equal(["set", "get", "getkq", "noop"], records.Select(r => r.Command));
        Assert.All(records, r => Assert.Equal(MemcachedDialect.Binary, r.Dialect));
        Assert.Equal(("bin:key", "NoError", 12L), (records[0].Resource, records[0].Status, records[0].RequestValueSize));
        Assert.Equal(("NoError", 1, 12L), (records[1].Status, records[1].Hits, records[1].ResponseValueSize));
        Assert.Equal(("KeyNotFound", true, "259"), (records[2].Status, records[2].NoReply, records[2].Opaque));
        Assert.All(records.Where(r => r.Command != "getkq"), r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));
    }

    [KernelFact]
    public async Task Tracer_started_after_the_connection_is_up_still_gets_later_commands()
    {
        await using var memcached = await MemcachedServer.StartAsync();
        using var socket = await memcached.ConnectAsync();
        await MemcachedServer.ExchangeAsync(socket, Encoding.ASCII.GetBytes("set early 0 0 3\r\nabc\r\nget early\r\n"), "END\r\n"u8.ToArray());

        await using var session = await TracingSession.StartAsync(OwnProcess(), [new MemcachedParser()]);
        for (int i = 0; i < 3; i++)
        {
            await MemcachedServer.ExchangeAsync(socket, Encoding.ASCII.GetBytes($"get early later:{i}\r\n"), "END\r\n"u8.ToArray());
        }

        var records = await session.WaitForAsync<MemcachedRecord>(r => Mine(r, memcached) && r.Command == "get", 3, "gets after the join");
        Assert.Equal(["later:0", "later:1", "later:2"], records.Select(r => r.Keys[1]));
        Assert.All(records, r => Assert.Equal((1, 3L, "hit"), (r.Hits, r.ResponseValueSize, r.Outcome)));
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.All(records, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));
    }

    private static byte[] Binary(byte magic, byte opcode, uint opaque, string key = "", int extras = 0, string value = "")
    {
        var keyBytes = Encoding.ASCII.GetBytes(key);
        var valueBytes = Encoding.ASCII.GetBytes(value);
        var frame = new byte[24 + extras + keyBytes.Length + valueBytes.Length];
        frame[0] = magic;
        frame[1] = opcode;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)keyBytes.Length);
        frame[4] = (byte)extras;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), (uint)(extras + keyBytes.Length + valueBytes.Length));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), opaque);
        keyBytes.CopyTo(frame, 24 + extras);
        valueBytes.CopyTo(frame, 24 + extras + keyBytes.Length);
        return frame;
    }
}
