using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// Traffic in which the kernel recognises no protocol stays in the kernel. When such a connection closes,
/// its bytes are counted as not captured — they were never meant to be sent up — and not as a gap, so the
/// loss counters keep meaning loss.
/// </summary>
[Collection("Kernel")]
public sealed class UncapturedTrafficKernelTests
{
    private const int ClientSends = 50_000;
    private const int ServerSends = 30_000;

    // One process, both ends of one loopback TCP connection: bytes no protocol guess accepts, each way.
    private static readonly string Program = $"""
        import socket
        chunk = b"\x17\x99opaque-bytes-" * 64
        def send(sock, size):
            sent = 0
            while sent < size:
                sent += sock.send(chunk[: min(len(chunk), size - sent)])
        def receive(sock, size):
            got = 0
            while got < size:
                got += len(sock.recv(65536))
        listener = socket.create_server(("127.0.0.1", 0))
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
        send(client, {ClientSends}); receive(server, {ClientSends})
        send(server, {ServerSends}); receive(client, {ServerSends})
        client.close(); server.close(); listener.close()
        print("done", flush=True)
        """;

    [KernelFact]
    public async Task OpaqueConnection_WhenClosed_IsCountedAsNotCaptured_NotAsAGap()
    {
        using var python = GatedProcess.Start("python3", "-c", Program);
        var options = new ProtocolTracingOptions { TraceTls = false };
        options.ProcessIds.Add(python.Pid);
        await using var session = await TracingSession.StartAsync(options);

        python.Release();
        var (exitCode, output, error) = await python.WaitForExitAsync(TestTimeouts.Process);
        Assert.True(exitCode == 0 && output.Contains("done", StringComparison.Ordinal), $"the python program failed ({exitCode}): {error}");

        // Each end counts what it sent and what it received.
        const ulong expected = 2UL * (ClientSends + ServerSends);
        var deadline = DateTime.UtcNow + TestTimeouts.Records;
        var statistics = session.Tracer.GetStatistics();
        while (statistics.BytesNotCaptured < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            statistics = session.Tracer.GetStatistics();
        }

        Assert.Equal(expected, statistics.BytesNotCaptured);
        Assert.Equal(0UL, statistics.GapBytes);
        Assert.Equal(0UL, statistics.RecordsProduced);
        Assert.Equal(0UL, statistics.KernelEventsLost);
    }
}
