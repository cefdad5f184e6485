using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Common;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Postgres;

namespace Ebpf.ProtocolTracing.Benchmarks.Postgres;

/// <summary>
/// The full path for one exchange on a long-lived connection: frame the frontend and backend messages,
/// decode the bound parameters from the statement cache, and build the <see cref="PostgresRecord"/>.
/// </summary>
[MemoryDiagnoser]
public class PostgresExchangeParseBenchmarks
{
    private ParserExchange _connection = null!;
    private ReadOnlySequence<byte> _executeRequest;
    private ReadOnlySequence<byte> _executeResponse;
    private ReadOnlySequence<byte> _queryRequest;
    private ReadOnlySequence<byte> _queryResponse;

    /// <summary>Bytes of one prepared-statement exchange (Bind/Execute/Sync and its answer).</summary>
    public long ExecuteExchangeBytes => _executeRequest.Length + _executeResponse.Length;

    /// <summary>Bytes of one simple-query exchange.</summary>
    public long QueryExchangeBytes => _queryRequest.Length + _queryResponse.Length;

    [GlobalSetup]
    public void Setup()
    {
        _connection = new ParserExchange(new PostgresParser());
        const string sql = "select id, name, price from products where id = $1 and category = $2";
        _connection.Feed(StreamDirection.Egress, Concat(Message('P', CString("s1"), CString(sql), Int16(2), Int32(23), Int32(25)), Message('S')));
        _connection.Feed(StreamDirection.Ingress, Concat(Message('1'), Message('Z', [(byte)'I'])));

        _executeRequest = new(Concat(
            Message('B', CString(""), CString("s1"), Int16(2), Int16(1), Int16(0), Int16(2), Int32(4), Int32(42), Int32(5), Encoding.UTF8.GetBytes("books"), Int16(0)),
            Message('E', CString(""), Int32(0)),
            Message('S')));
        _executeResponse = new(Concat(Message('2'), DataRow("42", "The Book", "12.50"), Message('C', CString("SELECT 1")), Message('Z', [(byte)'I'])));
        _queryRequest = new(Message('Q', CString("select id, name, price from products order by id limit 3")));
        _queryResponse = new(Concat(
            Message('T', Int16(1), CString("id"), Int32(0), Int16(0), Int32(23), Int16(4), Int32(-1), Int16(0)),
            DataRow("1", "a", "1.00"), DataRow("2", "b", "2.00"), DataRow("3", "c", "3.00"),
            Message('C', CString("SELECT 3")), Message('Z', [(byte)'I'])));
        ParserExchange.ExpectRecords(nameof(PreparedExecute), PreparedExecute(), 1);
        ParserExchange.ExpectRecords(nameof(SimpleQuery), SimpleQuery(), 1);
    }

    /// <summary>Bind (one binary int4, one text value), Execute, Sync; BindComplete, one row, CommandComplete, ReadyForQuery.</summary>
    [Benchmark]
    public int PreparedExecute() => _connection.Exchange(_executeRequest, _executeResponse);

    /// <summary>A simple Query returning three rows.</summary>
    [Benchmark]
    public int SimpleQuery() => _connection.Exchange(_queryRequest, _queryResponse);

    private static byte[] Message(char type, params byte[][] fields)
    {
        var body = Concat(fields);
        var message = new byte[5 + body.Length];
        message[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + body.Length);
        body.CopyTo(message, 5);
        return message;
    }

    private static byte[] DataRow(params string[] values) =>
        Message('D', [Int16(values.Length), .. values.Select(v => Concat(Int32(Encoding.UTF8.GetByteCount(v)), Encoding.UTF8.GetBytes(v)))]);

    private static byte[] CString(string text) => [.. Encoding.UTF8.GetBytes(text), 0];

    private static byte[] Int16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, (short)value);
        return bytes;
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

}
