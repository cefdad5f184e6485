using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Ebpf.ProtocolTracing.Http2.Hpack;
using static Ebpf.ProtocolTracing.Benchmarks.Http2.Http2BenchmarkPayloads;

namespace Ebpf.ProtocolTracing.Benchmarks.Http2;

/// <summary>
/// Decoding realistic HPACK header blocks with this project's decoder (fields to strings, as records need)
/// and with HttpClient's decoder from System.Net.Http (fields reported as spans to a counting handler), on
/// the same bytes with the same table history. One operation decodes one block.
/// </summary>
/// <remarks>
/// "First" blocks are a connection's first: literals with incremental indexing, Huffman-coded, names from
/// the static table. "Repeat" blocks follow them on the same connection: fields are dynamic-table hits (the
/// browser's new :path a literal that is not indexed, so every operation decodes the same block against
/// the same table).
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HpackDecodeBenchmarks
{
    private const int TableSize = HpackDecoder.DefaultTableSize;
    private readonly List<HpackField> _fields = new(32);
    private readonly Dictionary<string, (HpackDecoder Ours, SystemNetHttpHpackDecoder Peer)> _decoders = [];

    private byte[] _browserFirst = [];
    private byte[] _browserRepeat = [];
    private byte[] _grpcRequestRepeat = [];
    private byte[] _grpcResponseFirst = [];
    private byte[] _grpcTrailersFirst = [];

    /// <summary>Block sizes, for bytes per second.</summary>
    public static IReadOnlyDictionary<string, int> BlockBytes { get; private set; } = new Dictionary<string, int>();

    /// <summary>Encodes the blocks, primes the tables of the "Repeat" decoders, and checks both decoders see every field.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var browser = new BenchmarkHpackEncoder();
        _browserFirst = browser.Encode(BrowserRequest("/products/list?page=2&sort=price"));
        _browserRepeat = browser.Encode(":path", BrowserRequest("/products/list?page=3&sort=price"));

        var grpcClient = new BenchmarkHpackEncoder();
        var grpcFirst = grpcClient.Encode(GrpcRequest);
        _grpcRequestRepeat = grpcClient.Encode(GrpcRequest);

        var grpcServer = new BenchmarkHpackEncoder();
        _grpcResponseFirst = grpcServer.Encode(GrpcResponse);
        _grpcTrailersFirst = grpcServer.Encode(GrpcTrailers);

        BlockBytes = new Dictionary<string, int>
        {
            ["browser first"] = _browserFirst.Length,
            ["browser repeat"] = _browserRepeat.Length,
            ["grpc request repeat"] = _grpcRequestRepeat.Length,
            ["grpc response + trailers first"] = _grpcResponseFirst.Length + _grpcTrailersFirst.Length,
        };
        foreach (var (name, bytes) in BlockBytes)
        {
            Console.WriteLine($"// {name}: {bytes} bytes");
        }

        Prime("browser repeat", _browserFirst);
        Prime("grpc request repeat", grpcFirst);
        Check("browser first", BrowserRequest("").Length, () => OursBrowserFirst(), () => PeerBrowserFirst());
        Check("browser repeat", BrowserRequest("").Length, () => OursBrowserRepeat(), () => PeerBrowserRepeat());
        Check("grpc request repeat", GrpcRequest.Length, () => OursGrpcRequestRepeat(), () => PeerGrpcRequestRepeat());
        Check("grpc response + trailers first", GrpcResponse.Length + GrpcTrailers.Length, () => OursGrpcResponseAndTrailersFirst(), () => PeerGrpcResponseAndTrailersFirst());
    }

    /// <summary>Ours: the browser's first request.</summary>
    [Benchmark(Description = "Ours")]
    [BenchmarkCategory("Browser request, first (Huffman literals)")]
    public int OursBrowserFirst() => DecodeOurs("browser first", _browserFirst);

    /// <summary>System.Net.Http: the browser's first request.</summary>
    [Benchmark(Baseline = true, Description = "System.Net.Http HPackDecoder")]
    [BenchmarkCategory("Browser request, first (Huffman literals)")]
    public void PeerBrowserFirst() => Decoders("browser first").Peer.Decode(_browserFirst);

    /// <summary>Ours: the browser's next request.</summary>
    [Benchmark(Description = "Ours")]
    [BenchmarkCategory("Browser request, repeat (dynamic table hits)")]
    public int OursBrowserRepeat() => DecodeOurs("browser repeat", _browserRepeat);

    /// <summary>System.Net.Http: the browser's next request.</summary>
    [Benchmark(Baseline = true, Description = "System.Net.Http HPackDecoder")]
    [BenchmarkCategory("Browser request, repeat (dynamic table hits)")]
    public void PeerBrowserRepeat() => Decoders("browser repeat").Peer.Decode(_browserRepeat);

    /// <summary>Ours: a later gRPC request on the connection.</summary>
    [Benchmark(Description = "Ours")]
    [BenchmarkCategory("gRPC request, repeat (dynamic table hits)")]
    public int OursGrpcRequestRepeat() => DecodeOurs("grpc request repeat", _grpcRequestRepeat);

    /// <summary>System.Net.Http: a later gRPC request on the connection.</summary>
    [Benchmark(Baseline = true, Description = "System.Net.Http HPackDecoder")]
    [BenchmarkCategory("gRPC request, repeat (dynamic table hits)")]
    public void PeerGrpcRequestRepeat() => Decoders("grpc request repeat").Peer.Decode(_grpcRequestRepeat);

    /// <summary>Ours: the first gRPC response headers and trailers.</summary>
    [Benchmark(Description = "Ours")]
    [BenchmarkCategory("gRPC response + trailers, first")]
    public int OursGrpcResponseAndTrailersFirst() =>
        DecodeOurs("grpc response + trailers first", _grpcResponseFirst) + DecodeOurs("grpc response + trailers first", _grpcTrailersFirst);

    /// <summary>System.Net.Http: the first gRPC response headers and trailers.</summary>
    [Benchmark(Baseline = true, Description = "System.Net.Http HPackDecoder")]
    [BenchmarkCategory("gRPC response + trailers, first")]
    public void PeerGrpcResponseAndTrailersFirst()
    {
        var peer = Decoders("grpc response + trailers first").Peer;
        peer.Decode(_grpcResponseFirst);
        peer.Decode(_grpcTrailersFirst);
    }

    private int DecodeOurs(string scenario, byte[] block)
    {
        _fields.Clear();
        return Decoders(scenario).Ours.TryDecode(block, _fields) ? _fields.Count : -1;
    }

    private (HpackDecoder Ours, SystemNetHttpHpackDecoder Peer) Decoders(string scenario)
    {
        if (!_decoders.TryGetValue(scenario, out var decoders))
        {
            decoders = (new HpackDecoder(TableSize, contentsKnown: true), new SystemNetHttpHpackDecoder(TableSize, 64 * 1024));
            _decoders[scenario] = decoders;
        }

        return decoders;
    }

    private void Prime(string scenario, byte[] firstBlock)
    {
        var (ours, peer) = Decoders(scenario);
        if (!ours.TryDecode(firstBlock, _fields))
        {
            throw new InvalidOperationException($"Our decoder rejected the first block of {scenario}.");
        }

        peer.Decode(firstBlock);
    }

    private void Check(string scenario, int expectedFields, Func<int> ours, Action peer)
    {
        int oursSeen = ours();
        int before = Decoders(scenario).Peer.FieldsSeen;
        peer();
        int peerSeen = Decoders(scenario).Peer.FieldsSeen - before;
        if (oursSeen != expectedFields || peerSeen != expectedFields)
        {
            throw new InvalidOperationException($"{scenario}: expected {expectedFields} fields, ours decoded {oursSeen}, System.Net.Http {peerSeen}.");
        }

        foreach (var field in _fields)
        {
            if (field.Name is null || field.Value is null)
            {
                throw new InvalidOperationException($"{scenario}: our decoder left a field unknown.");
            }
        }
    }
}
