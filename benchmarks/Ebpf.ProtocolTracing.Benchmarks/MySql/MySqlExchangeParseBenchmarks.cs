using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Common;
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
    private ParserExchange _connection = null!;

    [GlobalSetup]
    public void Setup()
    {
        _connection = new ParserExchange(new MySqlParser());
        _connection.Exchange(MySqlBenchmarkPayloads.Prepare, MySqlBenchmarkPayloads.PrepareOk);
        ParserExchange.ExpectRecords(nameof(QueryWith100Rows), QueryWith100Rows(), 1);
        ParserExchange.ExpectRecords(nameof(PreparedExecute), PreparedExecute(), 1);
    }

    /// <summary>COM_QUERY (66 B) and a 100-row, 3-column result set (2,048 B) into one record.</summary>
    [Benchmark]
    public int QueryWith100Rows() => _connection.Exchange(MySqlBenchmarkPayloads.Query, MySqlBenchmarkPayloads.ResultSet);

    /// <summary>COM_STMT_EXECUTE with three bound parameters (statement text from the cache) and its OK.</summary>
    [Benchmark]
    public int PreparedExecute() => _connection.Exchange(MySqlBenchmarkPayloads.Execute, MySqlBenchmarkPayloads.Ok);
}
