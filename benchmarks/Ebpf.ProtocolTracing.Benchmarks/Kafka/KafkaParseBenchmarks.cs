using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Common;
using Ebpf.ProtocolTracing.Kafka;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Benchmarks.Kafka;

/// <summary>
/// The full Kafka path on one connection: frame requests and responses, decode Produce v9 (flexible) and
/// Fetch v12 bodies, count record batches, pair by correlation id, build <see cref="KafkaRecord"/>s.
/// </summary>
[MemoryDiagnoser]
public class KafkaParseBenchmarks
{
    /// <summary>Produce requests in one pipelined batch.</summary>
    public const int PipelineDepth = 8;

    private ParserExchange _connection = null!;
    private ReadOnlySequence<byte> _produces;
    private ReadOnlySequence<byte> _produceResponses;
    private ReadOnlySequence<byte> _fetch;
    private ReadOnlySequence<byte> _fetchResponse;

    [GlobalSetup]
    public void Setup()
    {
        _connection = new ParserExchange(new KafkaParser());
        BuildPipeline();
        _fetch = new ReadOnlySequence<byte>(Message(w => FetchRequest(w, 100)));
        _fetchResponse = new ReadOnlySequence<byte>(Message(w => FetchResponse(w, 100)));
        ParserExchange.ExpectRecords(nameof(PipelinedProduce), PipelinedProduce(), PipelineDepth);
        ParserExchange.ExpectRecords(nameof(LargeFetch), LargeFetch(), 1);
    }

    /// <summary>Bytes of one <see cref="PipelinedProduce"/> call.</summary>
    public long PipelineBytes => _produces.Length + _produceResponses.Length;

    /// <summary>8 Produce v9 requests (one batch of 10 records, ~1 KiB each), then their responses: 8 records.</summary>
    [Benchmark]
    public int PipelinedProduce()
    {
        // Every request is answered within the call, so the same correlation ids pair again next time.
        return _connection.Exchange(_produces, _produceResponses);
    }

    /// <summary>A Fetch v12 whose response carries 64 lz4 batches of 16 records (~69 KiB): the 64 KiB head is decoded, the rest skipped.</summary>
    [Benchmark]
    public int LargeFetch() => _connection.Exchange(_fetch, _fetchResponse);

    private void BuildPipeline()
    {
        var requests = new MemoryStream();
        var responses = new MemoryStream();
        for (int i = 0; i < PipelineDepth; i++)
        {
            int id = i + 1;
            requests.Write(Message(w => ProduceRequest(w, id)));
            responses.Write(Message(w => ProduceResponse(w, id)));
        }

        _produces = new ReadOnlySequence<byte>(requests.ToArray());
        _produceResponses = new ReadOnlySequence<byte>(responses.ToArray());
    }

    private static void ProduceRequest(BinaryWriterBe w, int id)
    {
        w.Int16(0).Int16(9).Int32(id).String("bench-producer").UVar(0);
        w.UVar(0).Int16(-1).Int32(30_000).UVar(2).CompactString("orders").UVar(2).Int32(3);
        var batch = Batch(10, 1024);
        w.UVar((uint)batch.Length + 1).Raw(batch).UVar(0).UVar(0).UVar(0);
    }

    private static void ProduceResponse(BinaryWriterBe w, int id) =>
        w.Int32(id).UVar(0).UVar(2).CompactString("orders").UVar(2).Int32(3).Int16(0).Int64(100).Int64(-1).Int64(0).UVar(1).UVar(0).UVar(0).UVar(0).Int32(0).UVar(0);

    private static void FetchRequest(BinaryWriterBe w, int id) =>
        w.Int16(1).Int16(12).Int32(id).String("bench-consumer").UVar(0)
            .Int32(-1).Int32(500).Int32(1).Int32(52_428_800).Int8(0).Int32(0).Int32(-1)
            .UVar(2).CompactString("orders").UVar(2).Int32(3).Int32(-1).Int64(0).Int32(-1).Int64(-1).Int32(1_048_576).UVar(0).UVar(0)
            .UVar(1).UVar(1).UVar(0);

    private static void FetchResponse(BinaryWriterBe w, int id)
    {
        w.Int32(id).UVar(0).Int32(0).Int16(0).Int32(1).UVar(2).CompactString("orders").UVar(2)
            .Int32(3).Int16(0).Int64(1000).Int64(1000).Int64(0).UVar(1).Int32(-1);
        var batches = new MemoryStream();
        for (int i = 0; i < 64; i++)
        {
            batches.Write(Batch(16, 1024));
        }

        var bytes = batches.ToArray();
        w.UVar((uint)bytes.Length + 1).Raw(bytes).UVar(0).UVar(0).UVar(0);
    }

    /// <summary>A magic 2 batch header (61 bytes) and <paramref name="payload"/> opaque record bytes.</summary>
    private static byte[] Batch(int records, int payload)
    {
        var batch = new byte[61 + payload];
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), batch.Length - 12);
        batch[16] = 2;
        batch[22] = 3; // lz4
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(57), records);
        return batch;
    }

    private static byte[] Message(Action<BinaryWriterBe> write)
    {
        var w = new BinaryWriterBe();
        write(w);
        var body = w.ToArray();
        var message = new byte[body.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(message, body.Length);
        body.CopyTo(message, 4);
        return message;
    }

    private sealed class BinaryWriterBe
    {
        private readonly MemoryStream _bytes = new();

        public BinaryWriterBe Int8(int v)
        {
            _bytes.WriteByte((byte)v);
            return this;
        }

        public BinaryWriterBe Int16(int v)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(b, (short)v);
            _bytes.Write(b);
            return this;
        }

        public BinaryWriterBe Int32(int v)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, v);
            _bytes.Write(b);
            return this;
        }

        public BinaryWriterBe Int64(long v)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(b, v);
            _bytes.Write(b);
            return this;
        }

        public BinaryWriterBe UVar(uint v)
        {
            while (v >= 0x80)
            {
                _bytes.WriteByte((byte)(v | 0x80));
                v >>= 7;
            }

            _bytes.WriteByte((byte)v);
            return this;
        }

        public BinaryWriterBe String(string s) => Int16(s.Length).Raw(Encoding.ASCII.GetBytes(s));

        public BinaryWriterBe CompactString(string s) => UVar((uint)s.Length + 1).Raw(Encoding.ASCII.GetBytes(s));

        public BinaryWriterBe Raw(ReadOnlySpan<byte> bytes)
        {
            _bytes.Write(bytes);
            return this;
        }

        public byte[] ToArray() => _bytes.ToArray();
    }
}
