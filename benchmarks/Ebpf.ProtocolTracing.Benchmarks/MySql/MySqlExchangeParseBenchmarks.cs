using System.Buffers;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.MySql;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Benchmarks.MySql;

/// <summary>
/// The full path for one exchange on a long-lived connection: frame the command and its response, follow
/// the result set, decode bound parameters, build the <see cref="MySqlRecord"/>.
/// </summary>
[MemoryDiagnoser]
public class MySqlExchangeParseBenchmarks
{
    private readonly CountingContext _context = new();
    private IConnectionParser _parser = null!;
    private long _egress;
    private long _ingress;

    [GlobalSetup]
    public void Setup()
    {
        _parser = new MySqlParser().CreateConnectionParser(_context);
        Feed(MySqlBenchmarkPayloads.Prepare, MySqlBenchmarkPayloads.PrepareOk);
        if (QueryWith100Rows() != 1 || PreparedExecute() != 1)
        {
            throw new InvalidOperationException("The benchmark exchanges did not produce one record each.");
        }
    }

    /// <summary>COM_QUERY (66 B) and a 100-row, 3-column result set (2,048 B) into one record.</summary>
    [Benchmark]
    public int QueryWith100Rows() => Feed(MySqlBenchmarkPayloads.Query, MySqlBenchmarkPayloads.ResultSet);

    /// <summary>COM_STMT_EXECUTE with three bound parameters (statement text from the cache) and its OK.</summary>
    [Benchmark]
    public int PreparedExecute() => Feed(MySqlBenchmarkPayloads.Execute, MySqlBenchmarkPayloads.Ok);

    private int Feed(byte[] request, byte[] response)
    {
        int before = _context.Count;
        _parser.Parse(StreamDirection.Egress, new ReadOnlySequence<byte>(request), _egress, out _);
        _egress += request.Length;
        _parser.Parse(StreamDirection.Ingress, new ReadOnlySequence<byte>(response), _ingress, out _);
        _ingress += response.Length;
        return _context.Count - before;
    }

    private sealed class CountingContext : IParseContext
    {
        public int Count;

        public ConnectionInfo Connection { get; } = new() { Id = new ConnectionId(1, 3, 1), Process = ProcessInfo.FromPid(1), Role = ConnectionRole.Client };

        public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) => DateTimeOffset.UnixEpoch;

        public void Emit(ProtocolRecord record) => Count++;
    }
}
