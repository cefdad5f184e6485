using System.Text;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Tracking;
using Xunit.Abstractions;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

/// <summary>Runs alone: it measures the managed heap, which other tests' allocations would blur.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ManagedMemoryGroup
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Managed memory";
}

/// <summary>
/// What a tracked HTTP/1.1 keep-alive connection costs in managed memory once it is idle: one request
/// and its response, as a server sees them, then silence. Ten thousand of them must stay cheap.
/// </summary>
[Collection(ManagedMemoryGroup.Name)]
public sealed class IdleConnectionMemoryTests
{
    private const int Connections = 10_000;
    private const ulong Ms = 1_000_000;

    private static readonly byte[] Request = Encoding.ASCII.GetBytes(
        "GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n");

    private static readonly byte[] Response = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nDate: Tue, 24 Nov 2026 12:00:00 GMT\r\nContent-Type: text/html\r\n" +
        "Content-Length: 42\r\nLast-Modified: Tue, 24 Nov 2026 11:00:00 GMT\r\nConnection: keep-alive\r\n" +
        "ETag: \"6743a0b0-2a\"\r\nAccept-Ranges: bytes\r\n\r\nhello from nginx, a small static response\n");

    private readonly ITestOutputHelper _output;
    private long _records;
    private ulong _now = 1_000 * Ms;

    public IdleConnectionMemoryTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void AnIdleHttpConnection_CostsUnder1400Bytes_OnceTrimmed()
    {
        var tracker = new ConnectionTracker(
            new ParserRegistry(BuiltInParsers.CreateAll(), new Dictionary<int, string>()),
            new ProtocolTracingOptions(),
            _ => _records++,
            new KernelClock(DateTimeOffset.UnixEpoch));

        // Warm-up: first-use allocations (pools, parser statics) are not per connection.
        for (var i = 0; i < 100; i++)
        {
            Exchange(tracker, Connections + i);
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Connections; i++)
        {
            Exchange(tracker, i);
        }

        var busy = GC.GetTotalMemory(forceFullCollection: true);
        tracker.Tick(_now + (2_000 * Ms));
        var idle = GC.GetTotalMemory(forceFullCollection: true);

        var busyBytes = (busy - before) / Connections;
        var idleBytes = (idle - before) / Connections;
        _output.WriteLine($"{busyBytes} bytes per connection right after its exchange, {idleBytes} once idle");
        Assert.Equal(Connections + 100, tracker.ConnectionCount);
        Assert.Equal(Connections + 100, _records);
        Assert.True(idleBytes < busyBytes, $"Trimming idle connections freed nothing: {busyBytes} bytes each before, {idleBytes} after.");
        Assert.True(idleBytes < 1_400, $"An idle tracked HTTP connection costs {idleBytes} bytes of managed memory (right after its exchange: {busyBytes}); it was ~1,060.");
        GC.KeepAlive(tracker);
    }

    private void Exchange(ConnectionTracker tracker, int connection)
    {
        var key = new KernelConnKey(777, 100 + connection, 1);
        var open = new OpenEvent
        {
            Header = new KernelEventHeader { Kind = KernelEventKind.Open, Tid = 777, TimestampNs = _now += 1_000, Conn = key },
            Family = 2,
            LocalPort = 8080,
            RemotePort = (ushort)(20_000 + (connection % 40_000)),
            Role = KernelRole.Server,
            Transport = 1,
            ProcessStartNs = 5,
        };
        tracker.OnOpen(in open);
        Data(tracker, key, StreamDirection.Ingress, Request);
        Data(tracker, key, StreamDirection.Egress, Response);
    }

    private void Data(ConnectionTracker tracker, KernelConnKey key, StreamDirection direction, byte[] payload)
    {
        var e = new DataEvent
        {
            Header = new KernelEventHeader { Kind = KernelEventKind.Data, Tid = 777, TimestampNs = _now += 1_000, Conn = key, Protocol = (byte)WellKnownProtocol.Http },
            CapturedLength = (uint)payload.Length,
            OriginalLength = (uint)payload.Length,
            Direction = direction,
            Source = direction == StreamDirection.Egress ? KernelSource.Write : KernelSource.Read,
        };
        tracker.OnData(in e, payload);
    }
}
