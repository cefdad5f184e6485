using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Http;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Http2;
using Ebpf.ProtocolTracing.Parsing;
using static Ebpf.ProtocolTracing.Parsers.Tests.Http2.Http2Wire;
using static Ebpf.ProtocolTracing.Benchmarks.Http2.Http2BenchmarkPayloads;

namespace Ebpf.ProtocolTracing.Benchmarks.Http2;

/// <summary>
/// One exchange through the HTTP/2 connection parser on a long-lived connection (frames read, header blocks
/// HPACK-decoded against a warm table, DATA gathered, the record built), next to one HTTP/1.1 exchange
/// through the HTTP/1.x connection parser measured in the same run, to compare the cost per byte.
/// </summary>
[MemoryDiagnoser]
public class Http2FrameParseBenchmarks
{
    private readonly CountingContext _http2Context = new();
    private readonly CountingContext _http1Context = new();
    private Connection _grpc = null!;
    private Connection _browser = null!;
    private Connection _http1 = null!;
    private Exchange _grpcExchange = null!;
    private Exchange _browserExchange = null!;
    private Exchange _http1Exchange = null!;

    /// <summary>Bytes per exchange, for bytes per second.</summary>
    public static IReadOnlyDictionary<string, long> ExchangeBytes { get; private set; } = new Dictionary<string, long>();

    /// <summary>Opens the connections, warms their HPACK tables with a first exchange, and checks each exchange makes one record.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parser = new Http2Parser();
        _grpc = new Connection(parser.CreateConnectionParser(_http2Context));
        _browser = new Connection(parser.CreateConnectionParser(_http2Context));
        _http1 = new Connection(new HttpParser().CreateConnectionParser(_http1Context));

        var grpcClient = new BenchmarkHpackEncoder();
        var grpcServer = new BenchmarkHpackEncoder();
        var browserClient = new BenchmarkHpackEncoder();
        var browserServer = new BenchmarkHpackEncoder();
        Open(_grpc);
        Open(_browser);

        // The first exchange fills the tables; the measured one repeats it, as later calls do.
        var body = new byte[4096];
        body.AsSpan().Fill((byte)'x');
        for (int round = 0; round < 2; round++)
        {
            _grpcExchange = new Exchange(_grpc,
                [.. Frame(FrameHeaders, FlagEndHeaders, 1, grpcClient.Encode(GrpcRequest)), .. Frame(FrameData, FlagEndStream, 1, GrpcMessage(HelloRequest))],
                [
                    .. Frame(FrameHeaders, FlagEndHeaders, 1, grpcServer.Encode(GrpcResponse)),
                    .. Frame(FrameData, 0, 1, GrpcMessage(HelloReply)),
                    .. Frame(FrameHeaders, FlagEndHeaders | FlagEndStream, 1, grpcServer.Encode(GrpcTrailers)),
                ]);
            _browserExchange = new Exchange(_browser,
                Frame(FrameHeaders, FlagEndHeaders | FlagEndStream, 1, browserClient.Encode(":path", BrowserRequest("/products/list?page=2&sort=price"))),
                [.. Frame(FrameHeaders, FlagEndHeaders, 1, browserServer.Encode(BrowserResponse)), .. Frame(FrameData, FlagEndStream, 1, body)]);
            Expect("gRPC", _http2Context, () => GrpcUnaryExchange());
            Expect("browser", _http2Context, () => BrowserGetExchange());
        }

        _http1Exchange = new Exchange(_http1, HttpBenchmarkPayloads.RequestHead, [.. HttpBenchmarkPayloads.ResponseHead, .. HttpBenchmarkPayloads.ResponseBody]);
        Expect("HTTP/1.1", _http1Context, () => Http1Exchange());

        ExchangeBytes = new Dictionary<string, long>
        {
            ["grpc"] = _grpcExchange.Bytes,
            ["browser"] = _browserExchange.Bytes,
            ["http1"] = _http1Exchange.Bytes,
        };
        foreach (var (name, bytes) in ExchangeBytes)
        {
            Console.WriteLine($"// {name}: {bytes} bytes per exchange");
        }
    }

    /// <summary>A gRPC unary call: request HEADERS + DATA; response HEADERS, DATA, trailers; into one GrpcRecord (messages rendered).</summary>
    [Benchmark(Description = "HTTP/2: gRPC unary call")]
    public int GrpcUnaryExchange() => _grpcExchange.Run();

    /// <summary>A browser navigation: 18-field request, 8-field response and a 4 KiB body; into one HttpRecord.</summary>
    [Benchmark(Description = "HTTP/2: browser GET, 4 KiB body")]
    public int BrowserGetExchange() => _browserExchange.Run();

    /// <summary>The HTTP/1.1 exchange of HttpExchangeParseBenchmarks, measured here for the per-byte comparison.</summary>
    [Benchmark(Baseline = true, Description = "HTTP/1.1: browser GET, 27-byte body")]
    public int Http1Exchange() => _http1Exchange.Run();

    private const byte FrameData = 0x0;
    private const byte FrameHeaders = 0x1;
    private const byte FrameSettings = 0x4;
    private const byte FlagEndStream = 0x1;
    private const byte FlagEndHeaders = 0x4;
    private const byte FlagAck = 0x1;

    private static void Open(Connection connection)
    {
        connection.Feed(StreamDirection.Egress, [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, .. Frame(FrameSettings, 0, 0, [])]);
        connection.Feed(StreamDirection.Ingress, [.. Frame(FrameSettings, 0, 0, []), .. Frame(FrameSettings, FlagAck, 0, [])]);
        connection.Feed(StreamDirection.Egress, Frame(FrameSettings, FlagAck, 0, []));
    }

    private static byte[] GrpcMessage(ReadOnlySpan<byte> message)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), message.Length);
        message.CopyTo(framed.AsSpan(5));
        return framed;
    }

    private static void Expect(string what, CountingContext context, Func<int> exchange)
    {
        int before = context.Count;
        exchange();
        if (context.Count != before + 1)
        {
            throw new InvalidOperationException($"The {what} exchange produced {context.Count - before} records instead of one.");
        }
    }

    /// <summary>A connection parser and the stream position of each direction.</summary>
    private sealed class Connection(IConnectionParser parser)
    {
        private readonly long[] _positions = new long[2];

        public void Feed(StreamDirection direction, byte[] bytes) => Feed(direction, new ReadOnlySequence<byte>(bytes));

        public void Feed(StreamDirection direction, in ReadOnlySequence<byte> bytes)
        {
            parser.Parse(direction, bytes, _positions[(int)direction], out var consumed);
            if (!consumed.Equals(bytes.End))
            {
                throw new InvalidOperationException($"The parser left {bytes.Slice(consumed).Length} of {bytes.Length} bytes.");
            }

            _positions[(int)direction] += bytes.Length;
        }
    }

    /// <summary>One request and one response, fed whole.</summary>
    private sealed class Exchange(Connection connection, byte[] request, byte[] response)
    {
        private readonly ReadOnlySequence<byte> _request = new(request);
        private readonly ReadOnlySequence<byte> _response = new(response);

        public long Bytes => _request.Length + _response.Length;

        public int Run()
        {
            connection.Feed(StreamDirection.Egress, _request);
            connection.Feed(StreamDirection.Ingress, _response);
            return (int)Bytes;
        }
    }

    private sealed class CountingContext : IParseContext
    {
        public int Count;

        public ConnectionInfo Connection { get; } = new() { Id = new ConnectionId(1, 3, 1), Process = ProcessInfo.FromPid(1) };

        public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) => DateTimeOffset.UnixEpoch;

        public void Emit(ProtocolRecord record) => Count++;
    }
}
