using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
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
    private readonly CountingContext _context = new();
    private IConnectionParser _parser = null!;
    private ReadOnlySequence<byte> _executeRequest;
    private ReadOnlySequence<byte> _executeResponse;
    private ReadOnlySequence<byte> _queryRequest;
    private ReadOnlySequence<byte> _queryResponse;
    private long _egress;
    private long _ingress;

    /// <summary>Bytes of one prepared-statement exchange (Bind/Execute/Sync and its answer).</summary>
    public long ExecuteExchangeBytes => _executeRequest.Length + _executeResponse.Length;

    /// <summary>Bytes of one simple-query exchange.</summary>
    public long QueryExchangeBytes => _queryRequest.Length + _queryResponse.Length;

    [GlobalSetup]
    public void Setup()
    {
        _parser = new PostgresParser().CreateConnectionParser(_context);
        const string sql = "select id, name, price from products where id = $1 and category = $2";
        Feed(StreamDirection.Egress, Concat(Message('P', CString("s1"), CString(sql), Int16(2), Int32(23), Int32(25)), Message('S')));
        Feed(StreamDirection.Ingress, Concat(Message('1'), Message('Z', [(byte)'I'])));

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
        if (PreparedExecute() != 1 || SimpleQuery() != 1)
        {
            throw new InvalidOperationException("The benchmark exchanges did not produce one record each.");
        }
    }

    /// <summary>Bind (one binary int4, one text value), Execute, Sync; BindComplete, one row, CommandComplete, ReadyForQuery.</summary>
    [Benchmark]
    public int PreparedExecute() => Exchange(_executeRequest, _executeResponse);

    /// <summary>A simple Query returning three rows.</summary>
    [Benchmark]
    public int SimpleQuery() => Exchange(_queryRequest, _queryResponse);

    private int Exchange(ReadOnlySequence<byte> request, ReadOnlySequence<byte> response)
    {
        int before = _context.Count;
        Feed(StreamDirection.Egress, request);
        Feed(StreamDirection.Ingress, response);
        return _context.Count - before;
    }

    private void Feed(StreamDirection direction, ReadOnlySequence<byte> bytes)
    {
        ref long position = ref direction == StreamDirection.Egress ? ref _egress : ref _ingress;
        _parser.Parse(direction, bytes, position, out _);
        position += bytes.Length;
    }

    private void Feed(StreamDirection direction, byte[] bytes) => Feed(direction, new ReadOnlySequence<byte>(bytes));

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

    private sealed class CountingContext : IParseContext
    {
        public int Count;

        public ConnectionInfo Connection { get; } = new()
        {
            Id = new ConnectionId(1, 3, 1),
            Process = ProcessInfo.FromPid(1),
            Role = ConnectionRole.Client,
        };

        public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) => DateTimeOffset.UnixEpoch;

        public void Emit(ProtocolRecord record) => Count++;
    }
}
