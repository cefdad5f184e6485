using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Recording;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Benchmarks.Pipeline;

/// <summary>
/// The whole user-space pipeline on one core: raw kernel events → <see cref="KernelEventDecoder"/> →
/// <see cref="ConnectionTracker"/> → the protocol's parser → records. One operation is one record (one
/// request/response exchange), so the reported mean is the cost per record and 1 s / mean is records/s.
/// </summary>
/// <remarks>
/// The recording is generated in setup by <see cref="PipelineRecording"/> through the tracer's own
/// recorder and written to a temporary file, then replayed two ways: <see cref="ReplayFile"/> through the
/// public <see cref="ProtocolReplay"/> API (file reads, async enumeration included), and
/// <see cref="DecodeTrackParse"/> from memory, which is what a live ring-buffer reader does per event.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class PipelineReplayBenchmarks
{
    /// <summary>Exchanges (and so records) per replay.</summary>
    public const int Exchanges = 16_384;

    private readonly ProtocolTracingOptions _options = new();
    private IReadOnlyList<IProtocolParser> _parsers = null!;
    private byte[] _recording = null!;
    private string _path = null!;
    private int _records;

    /// <summary>The traffic replayed.</summary>
    [Params("Http1Api", "Http1Browser", "Redis", "Postgres", "Http2")]
    public string Scenario { get; set; } = "Http1Api";

    /// <summary>Generates the recording and checks that every exchange makes one record.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _parsers = BuiltInParsers.CreateAll();
        var scenario = PipelineScenario.Get(Scenario);
        _recording = PipelineRecording.Create(scenario, Exchanges);
        var expected = Exchanges + (scenario.HandshakeRecords * PipelineRecording.Connections);
        _path = Path.Combine(Path.GetTempPath(), $"pipeline-{Scenario}-{Environment.ProcessId}.ptrace");
        File.WriteAllBytes(_path, _recording);
        var fromMemory = DecodeTrackParse();
        var fromFile = ReplayFile().GetAwaiter().GetResult();
        if (fromMemory != expected || fromFile != expected)
        {
            throw new InvalidOperationException(
                $"The {Scenario} recording of {Exchanges} exchanges made {fromMemory} records from memory and {fromFile} from the file; expected {expected} (one per exchange and {scenario.HandshakeRecords} per connection's handshake).");
        }
    }

    /// <summary>Removes the temporary recording.</summary>
    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    /// <summary>The public replay API over the recording file.</summary>
    [Benchmark(OperationsPerInvoke = Exchanges)]
    public async Task<int> ReplayFile()
    {
        var count = 0;
        await foreach (var record in ProtocolReplay.ReadRecordsAsync(_path, _parsers, _options).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    /// <summary>Decode, track and parse from memory: the live reader's per-event work without the file.</summary>
    [Benchmark(OperationsPerInvoke = Exchanges)]
    public int DecodeTrackParse()
    {
        _records = 0;
        var tracker = new ConnectionTracker(new ParserRegistry(_parsers, new Dictionary<int, string>()), _options, CountRecord, PipelineRecording.Clock);
        ReadOnlySpan<byte> rest = _recording.AsSpan(KernelRecordingFormat.HeaderSize);
        while (!rest.IsEmpty)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(rest);
            if (!KernelEventDecoder.TryDispatch(rest.Slice(KernelRecordingFormat.LengthPrefixSize, length), tracker))
            {
                throw new InvalidOperationException("The generated recording holds an event the decoder refuses.");
            }

            rest = rest[(KernelRecordingFormat.LengthPrefixSize + length)..];
        }

        tracker.CompleteAll();
        return _records;
    }

    private void CountRecord(ProtocolRecord record) => _records++;
}
