using System.Text;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Tracking;
using Xunit.Abstractions;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

/// <summary>
/// What the tracker and the HTTP/1.x parser allocate per keep-alive exchange, beyond the record and
/// what it holds: kernel events in, records out, on one thread. The bounds are generous; they fail when
/// per-exchange scaffolding (message objects, header lists of repeated heads) comes back.
/// </summary>
[Collection(ManagedMemoryGroup.Name)]
public sealed class HttpRecordAllocationTests
{
    private const int Connections = 8;
    private const int WarmUpExchanges = 1_000;
    private const int MeasuredExchanges = 4_000;

    private readonly ITestOutputHelper _output;
    private readonly ProtocolRecord?[] _records = new ProtocolRecord?[WarmUpExchanges + MeasuredExchanges];
    private int _recordCount;
    private ulong _now = 1_000_000_000;

    public HttpRecordAllocationTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void AnApiExchange_AllocatesLittleBesidesItsRecord()
    {
        // Every request differs (target, request id); every response head repeats, its body differs.
        var bytesPerRecord = Measure(
            i => $"GET /api/v1/items/{i} HTTP/1.1\r\nHost: inventory.internal:8080\r\nUser-Agent: orders-service/2.3\r\nAccept: application/json\r\nX-Request-Id: {i:x16}\r\n\r\n",
            i => "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nDate: Tue, 24 Nov 2026 12:00:00 GMT\r\nContent-Type: application/json\r\nContent-Length: 20\r\nConnection: keep-alive\r\n\r\n" + $"{{\"id\":{i,12}}}\n ");

        var last = (HttpRecord)_records[^1]!;
        Assert.Equal($"/api/v1/items/{WarmUpExchanges + MeasuredExchanges - 1}", last.Target);
        Assert.Equal($"{WarmUpExchanges + MeasuredExchanges - 1:x16}", last.RequestHeaders["X-Request-Id"]);
        Assert.Equal(20, last.ResponseBody.Length);

        // The record (~220 B), its target, request id, request header list and body take ~500 B; each
        // exchange used to allocate ~940 B (two message objects, two body captures, a second header list).
        Assert.True(bytesPerRecord < 750, $"An API exchange allocated {bytesPerRecord:F0} bytes per record; it was ~500.");
    }

    [Fact]
    public void ARepeatedExchange_AllocatesLittleMoreThanItsRecord()
    {
        // A load generator's traffic: every head repeats byte for byte.
        var bytesPerRecord = Measure(
            _ => "GET /index.html HTTP/1.1\r\nHost: localhost\r\nUser-Agent: load/1.0\r\nAccept: */*\r\n\r\n",
            _ => "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Type: text/html\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\nhello, world");

        var first = (HttpRecord)_records[0]!;
        var last = (HttpRecord)_records[^1]!;
        var previousOnItsConnection = (HttpRecord)_records[^(1 + Connections)]!;
        Assert.Equal("hello, world", Encoding.ASCII.GetString(last.ResponseBody.Span));
        Assert.Equal("hello, world", Encoding.ASCII.GetString(first.ResponseBody.Span));
        Assert.Same(previousOnItsConnection.ResponseHeaders, last.ResponseHeaders);

        // The record (~220 B) and its body (~40 B); it used to be ~780 B.
        Assert.True(bytesPerRecord < 450, $"A repeated exchange allocated {bytesPerRecord:F0} bytes per record; it was ~260.");
    }

    private double Measure(Func<int, string> request, Func<int, string> response)
    {
        var total = WarmUpExchanges + MeasuredExchanges;
        var requests = new byte[total][];
        var responses = new byte[total][];
        for (var i = 0; i < total; i++)
        {
            requests[i] = Encoding.ASCII.GetBytes(request(i));
            responses[i] = Encoding.ASCII.GetBytes(response(i));
        }

        var tracker = new ConnectionTracker(
            new ParserRegistry(BuiltInParsers.CreateAll(), new Dictionary<int, string>()),
            new ProtocolTracingOptions(),
            record => _records[_recordCount++] = record,
            new KernelClock(DateTimeOffset.UnixEpoch));
        var streamPositions = new ulong[Connections * 2];
        for (var c = 0; c < Connections; c++)
        {
            var open = new OpenEvent
            {
                Header = new KernelEventHeader { Kind = KernelEventKind.Open, Tid = 777, TimestampNs = _now += 1_000, Conn = Key(c) },
                Family = 2,
                LocalPort = 8080,
                RemotePort = (ushort)(40_000 + c),
                Role = KernelRole.Server,
                Transport = 1,
                ProcessStartNs = 5,
            };
            tracker.OnOpen(in open);
        }

        for (var i = 0; i < WarmUpExchanges; i++)
        {
            Exchange(tracker, streamPositions, i, requests[i], responses[i]);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = WarmUpExchanges; i < total; i++)
        {
            Exchange(tracker, streamPositions, i, requests[i], responses[i]);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(total, _recordCount);
        var perRecord = (double)allocated / MeasuredExchanges;
        _output.WriteLine($"{perRecord:F0} bytes allocated per record");
        return perRecord;
    }

    private static KernelConnKey Key(int connection) => new(777, 100 + connection, 1);

    private void Exchange(ConnectionTracker tracker, ulong[] streamPositions, int exchange, byte[] request, byte[] response)
    {
        var connection = exchange % Connections;
        Data(tracker, connection, streamPositions, StreamDirection.Ingress, request);
        Data(tracker, connection, streamPositions, StreamDirection.Egress, response);
    }

    private void Data(ConnectionTracker tracker, int connection, ulong[] streamPositions, StreamDirection direction, byte[] payload)
    {
        ref var position = ref streamPositions[(connection * 2) + (int)direction];
        var e = new DataEvent
        {
            Header = new KernelEventHeader { Kind = KernelEventKind.Data, Tid = 777, TimestampNs = _now += 1_000, Conn = Key(connection), Protocol = (byte)WellKnownProtocol.Http },
            Position = position,
            CapturedLength = (uint)payload.Length,
            OriginalLength = (uint)payload.Length,
            Direction = direction,
            Source = direction == StreamDirection.Egress ? KernelSource.Write : KernelSource.Read,
        };
        position += (ulong)payload.Length;
        tracker.OnData(in e, payload);
    }
}
