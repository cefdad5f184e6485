using System.Buffers;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Http;
using KestrelHttpParser = Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpParser<Ebpf.ProtocolTracing.Benchmarks.Http.KestrelNoopHandler>;

namespace Ebpf.ProtocolTracing.Benchmarks.Http;

/// <summary>
/// Finding and validating one HTTP/1.x head (start line and header fields) with this project's scanner
/// and with Kestrel's own parser from the shared framework, on the same bytes. Neither builds strings.
/// </summary>
/// <remarks>
/// Kestrel's parser only reads requests, so on the response it parses the header fields after the
/// status line; this project's scanner reads the whole response head, status line included.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class HttpFrameScanBenchmarks
{
    private readonly KestrelHttpParser _kestrel = new();
    private ReadOnlySequence<byte> _requestSequence;
    private ReadOnlySequence<byte> _responseFieldsSequence;

    /// <summary>Checks once that both parsers accept the payloads, so no rejection path is timed.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _requestSequence = new ReadOnlySequence<byte>(HttpBenchmarkPayloads.RequestHead);
        _responseFieldsSequence = new ReadOnlySequence<byte>(HttpBenchmarkPayloads.ResponseHead.AsMemory(HttpBenchmarkPayloads.StatusLineLength));
        if (OursRequestHead() != HttpBenchmarkPayloads.RequestHead.Length || OursResponseHead() != HttpBenchmarkPayloads.ResponseHead.Length)
        {
            throw new InvalidOperationException("The scanner did not accept the benchmark heads.");
        }

        if (KestrelRequestHead() != HttpBenchmarkPayloads.RequestHead.Length
            || KestrelResponseFields() != HttpBenchmarkPayloads.ResponseHead.Length - HttpBenchmarkPayloads.StatusLineLength)
        {
            throw new InvalidOperationException("Kestrel did not accept the benchmark heads.");
        }
    }

    /// <summary>This project: the request head.</summary>
    [Benchmark(Description = "Ours: request head (single span)")]
    [BenchmarkCategory("Request")]
    public int OursRequestHead()
    {
        var scanner = HttpHeadScanner.Create();
        return HttpHeadScanner.Scan(ref scanner, HttpBenchmarkPayloads.RequestHead, 64 * 1024, 256) == HeadScanStatus.Complete ? scanner.HeadLength : -1;
    }

    /// <summary>This project: the request head handed over as a sequence (the parser's entry point).</summary>
    [Benchmark(Description = "Ours: request head (ReadOnlySequence)")]
    [BenchmarkCategory("Request")]
    public int OursRequestHeadSequence()
    {
        var scanner = HttpHeadScanner.Create();
        return HttpHeadScanner.Scan(ref scanner, _requestSequence, 64 * 1024, 256) == HeadScanStatus.Complete ? scanner.HeadLength : -1;
    }

    /// <summary>Kestrel: request line then header fields.</summary>
    [Benchmark(Baseline = true, Description = "Kestrel: request head")]
    [BenchmarkCategory("Request")]
    public int KestrelRequestHead()
    {
        var handler = default(KestrelNoopHandler);
        var reader = new SequenceReader<byte>(_requestSequence);
        if (!_kestrel.ParseRequestLine(handler, ref reader))
        {
            return -1;
        }

        return _kestrel.ParseHeaders(handler, ref reader) ? (int)reader.Consumed : -1;
    }

    /// <summary>This project: the whole response head.</summary>
    [Benchmark(Description = "Ours: response head")]
    [BenchmarkCategory("Response")]
    public int OursResponseHead()
    {
        var scanner = HttpHeadScanner.Create();
        return HttpHeadScanner.Scan(ref scanner, HttpBenchmarkPayloads.ResponseHead, 64 * 1024, 256) == HeadScanStatus.Complete ? scanner.HeadLength : -1;
    }

    /// <summary>Kestrel: the response's header fields (it has no status-line parser).</summary>
    [Benchmark(Description = "Kestrel: response header fields")]
    [BenchmarkCategory("Response")]
    public int KestrelResponseFields()
    {
        var handler = default(KestrelNoopHandler);
        var reader = new SequenceReader<byte>(_responseFieldsSequence);
        return _kestrel.ParseHeaders(handler, ref reader) ? (int)reader.Consumed : -1;
    }
}
