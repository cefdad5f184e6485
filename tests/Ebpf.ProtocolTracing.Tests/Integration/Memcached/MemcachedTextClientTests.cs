using Ebpf.ProtocolTracing.Memcached;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Memcached;

/// <summary>A python3 text-protocol client (a child process) against a real memcached, traced from the kernel: both ends.</summary>
[Collection("Kernel")]
public sealed class MemcachedTextClientTests
{
    [KernelFact]
    public async Task Text_and_meta_commands_yield_records_at_the_client_and_at_memcached()
    {
        await using var memcached = await MemcachedServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions(), [new MemcachedParser()]);

        var run = await memcached.TextClientAsync(
            "set greeting 0 0 11\r\nhello world\r\nget greeting absent\r\nincr greeting 1\r\ndelete absent noreply\r\n" +
            "ms counter 2 T60\r\n10\r\nma counter v\r\nmg counter v q O77\r\nmg nothing v q O78\r\nmn\r\n",
            "MN\r\n");
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Contains("VALUE greeting 0 11\r\nhello world\r\nEND\r\n", run.StandardOutput, StringComparison.Ordinal);

        bool Client(MemcachedRecord r) => r.Pid == run.Pid && r.RemoteEndPoint?.Port == memcached.Port;
        bool Server(MemcachedRecord r) => r.Pid == memcached.Pid && r.LocalEndPoint?.Port == memcached.Port;
        var sent = await session.WaitForAsync<MemcachedRecord>(Client, 9, "the python client's side");
        var served = await session.WaitForAsync<MemcachedRecord>(Server, 9, "memcached's side");

        // Records come out when complete, so the noreply delete, never answered, comes out first.
        string[] commands = ["set", "get", "incr", "delete", "ms", "ma", "mg", "mg", "mn"];
        Assert.Equal(commands.Order(), sent.Select(r => r.Command).Order());
        Assert.Equal(commands.Order(), served.Select(r => r.Command).Order());
        var set = Assert.Single(sent, r => r.Command == "set");
        Assert.Equal(("greeting", 11L, "STORED", ConnectionRole.Client), (set.Resource, set.RequestValueSize, set.Status, set.Role));
        Assert.True(set.Latency > TimeSpan.Zero, $"latency {set.Latency}");
        var get = Assert.Single(sent, r => r.Command == "get");
        Assert.Equal(["greeting", "absent"], get.Keys);
        Assert.Equal((1, 11L, "hit"), (get.Hits, get.ResponseValueSize, get.Outcome));
        var incr = Assert.Single(sent, r => r.Command == "incr");
        Assert.Equal("CLIENT_ERROR", incr.Status);
        Assert.True(incr.IsError);
        var delete = Assert.Single(sent, r => r.Command == "delete");
        Assert.True(delete.NoReply);
        Assert.Null(delete.Status);
        var ms = Assert.Single(sent, r => r.Command == "ms");
        Assert.Equal(("HD", MemcachedDialect.Meta), (ms.Status, ms.Dialect));
        var ma = Assert.Single(sent, r => r.Command == "ma");
        Assert.Equal(("VA", 2L), (ma.Status, ma.ResponseValueSize));
        var hit = Assert.Single(sent, r => r.Command == "mg" && r.Opaque == "77");
        Assert.Equal(("VA", 1), (hit.Status, hit.Hits));
        var miss = Assert.Single(sent, r => r.Command == "mg" && r.Opaque == "78");
        Assert.Equal(("EN", true), (miss.Status, miss.NoReply));
        Assert.Equal("MN", Assert.Single(sent, r => r.Command == "mn").Status);

        var servedGet = Assert.Single(served, r => r.Command == "get");
        Assert.Equal(ConnectionRole.Server, servedGet.Role);
        Assert.Equal("hit", servedGet.Outcome);
        Assert.True(servedGet.Latency > TimeSpan.Zero, $"latency {servedGet.Latency}");
        Assert.Equal(get.LocalEndPoint?.Port, servedGet.RemoteEndPoint?.Port);
    }
}
