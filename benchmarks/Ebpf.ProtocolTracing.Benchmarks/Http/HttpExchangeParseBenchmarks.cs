using System.Buffers;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Common;
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
    private ParserExchange _connection = null!;
    private ReadOnlySequence<byte> _request;
    private ReadOnlySequence<byte> _response;

    /// <summary>One long-lived connection, as in keep-alive traffic.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _connection = new ParserExchange(new HttpParser(), new ConnectionInfo { Id = new ConnectionId(1, 3, 1), Process = ProcessInfo.FromPid(1) });
        _request = new ReadOnlySequence<byte>(HttpBenchmarkPayloads.RequestHead);
        _response = new ReadOnlySequence<byte>([.. HttpBenchmarkPayloads.ResponseHead, .. HttpBenchmarkPayloads.ResponseBody]);
        ParserExchange.ExpectRecords(nameof(RequestResponsePair), RequestResponsePair(), 1);
    }

    /// <summary>Request head plus response head and 27-byte body, into one record.</summary>
    [Benchmark]
    public int RequestResponsePair() => _connection.Exchange(_request, _response);
}
