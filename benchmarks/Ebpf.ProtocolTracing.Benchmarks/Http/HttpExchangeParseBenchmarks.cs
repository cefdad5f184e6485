using System.Buffers;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Benchmarks.Http;

/// <summary>
/// The full path for one exchange: parse the request and the response through the connection parser
/// and build the <see cref="HttpRecord"/> (strings, header list, kept body).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class HttpExchangeParseBenchmarks
{
    private readonly CountingContext _context = new();
    private IConnectionParser _parser = null!;
    private ReadOnlySequence<byte> _request;
    private ReadOnlySequence<byte> _response;
    private long _requestPosition;
    private long _responsePosition;

    /// <summary>One long-lived connection, as in keep-alive traffic.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _parser = new HttpParser().CreateConnectionParser(_context);
        _request = new ReadOnlySequence<byte>(HttpBenchmarkPayloads.RequestHead);
        _response = new ReadOnlySequence<byte>([.. HttpBenchmarkPayloads.ResponseHead, .. HttpBenchmarkPayloads.ResponseBody]);
        if (RequestResponsePair() != 1)
        {
            throw new InvalidOperationException("The benchmark exchange did not produce a record.");
        }
    }

    /// <summary>Request head plus response head and 27-byte body, into one record.</summary>
    [Benchmark]
    public int RequestResponsePair()
    {
        int before = _context.Count;
        _parser.Parse(StreamDirection.Egress, _request, _requestPosition, out _);
        _requestPosition += _request.Length;
        _parser.Parse(StreamDirection.Ingress, _response, _responsePosition, out _);
        _responsePosition += _response.Length;
        return _context.Count - before;
    }

    private sealed class CountingContext : IParseContext
    {
        public int Count;

        public ConnectionInfo Connection { get; } = new() { Id = new ConnectionId(1, 3, 1), Process = ProcessInfo.FromPid(1) };

        public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) => DateTimeOffset.UnixEpoch;

        public void Emit(ProtocolRecord record) => Count++;
    }
}
