using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Common;
using Ebpf.ProtocolTracing.Cassandra;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Benchmarks.Cassandra;

/// <summary>
/// The full CQL path on one connection: frame requests and responses, decode QUERY and EXECUTE, walk the
/// rows metadata to the row count, pair by stream id, build <see cref="CassandraRecord"/>s.
/// </summary>
[MemoryDiagnoser]
public class CassandraParseBenchmarks
{
    /// <summary>Requests in one pipelined batch (half QUERY, half EXECUTE).</summary>
    public const int PipelineDepth = 16;

    private static readonly byte[] StatementId = [0xCA, 0xFE, 0xBA, 0xBE, 1, 2, 3, 4];

    private ParserExchange _connection = null!;
    private ReadOnlySequence<byte> _requests;
    private ReadOnlySequence<byte> _responses;

    [GlobalSetup]
    public void Setup()
    {
        _connection = new ParserExchange(new CassandraParser(), new ConnectionInfo
        {
            Id = new ConnectionId(1, 4, 1),
            Process = ProcessInfo.FromPid(1),
            Role = ConnectionRole.Client,
        });
        var prepare = Frame(0x04, 0, 0x09, w => w.LongString("SELECT name, age FROM ks.users WHERE name = ?"));
        var prepared = Frame(0x84, 0, 0x08, w => w.Int(4).ShortBytes(StatementId).Int(1).Int(1).Int(1).Short(0).String("ks").String("users").String("name").Short(0x0D).Int(4).Int(0));
        _connection.Exchange(prepare, prepared);

        var requests = new MemoryStream();
        var responses = new MemoryStream();
        for (int i = 1; i <= PipelineDepth; i++)
        {
            int stream = i;
            requests.Write(i % 2 == 0
                ? Frame(0x04, stream, 0x0A, w => w.ShortBytes(StatementId).Short(1).Byte(1).Short(1).Bytes(Encoding.ASCII.GetBytes("user-1")))
                : Frame(0x04, stream, 0x07, w => w.LongString("SELECT name, age FROM ks.users WHERE age > 30 LIMIT 20").Short(6).Byte(4).Int(5000)));
            responses.Write(Frame(0x84, stream, 0x08, Rows));
        }

        _requests = new ReadOnlySequence<byte>(requests.ToArray());
        _responses = new ReadOnlySequence<byte>(responses.ToArray());
        ParserExchange.ExpectRecords(nameof(PipelinedExchanges), PipelinedExchanges(), PipelineDepth);
    }

    /// <summary>Bytes of one <see cref="PipelinedExchanges"/> call.</summary>
    public long PipelineBytes => _requests.Length + _responses.Length;

    /// <summary>8 QUERYs and 8 EXECUTEs pipelined, then 16 Rows results of 20 rows each: 16 records.</summary>
    [Benchmark]
    public int PipelinedExchanges() => _connection.Exchange(_requests, _responses);

    private static void Rows(Writer w)
    {
        w.Int(2).Int(1).Int(2).String("ks").String("users").String("name").Short(0x0D).String("age").Short(0x09).Int(20);
        for (int r = 0; r < 20; r++)
        {
            w.Bytes(Encoding.ASCII.GetBytes($"user-{r}")).Bytes([0, 0, 0, (byte)(30 + r)]);
        }
    }

    private static byte[] Frame(byte version, int stream, byte opcode, Action<Writer> body)
    {
        var w = new Writer();
        body(w);
        var bytes = w.ToArray();
        var frame = new byte[9 + bytes.Length];
        frame[0] = version;
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(2), (short)stream);
        frame[4] = opcode;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), bytes.Length);
        bytes.CopyTo(frame, 9);
        return frame;
    }

    private sealed class Writer
    {
        private readonly MemoryStream _bytes = new();

        public Writer Byte(int v)
        {
            _bytes.WriteByte((byte)v);
            return this;
        }

        public Writer Short(int v)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(b, (short)v);
            _bytes.Write(b);
            return this;
        }

        public Writer Int(int v)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, v);
            _bytes.Write(b);
            return this;
        }

        public Writer String(string s)
        {
            Short(s.Length);
            _bytes.Write(Encoding.ASCII.GetBytes(s));
            return this;
        }

        public Writer LongString(string s)
        {
            Int(s.Length);
            _bytes.Write(Encoding.ASCII.GetBytes(s));
            return this;
        }

        public Writer Bytes(byte[] value)
        {
            Int(value.Length);
            _bytes.Write(value);
            return this;
        }

        public Writer ShortBytes(byte[] value)
        {
            Short(value.Length);
            _bytes.Write(value);
            return this;
        }

        public byte[] ToArray() => _bytes.ToArray();
    }
}
