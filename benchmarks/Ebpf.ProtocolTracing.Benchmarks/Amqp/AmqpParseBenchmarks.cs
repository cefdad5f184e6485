using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Common;
using Ebpf.ProtocolTracing.Amqp;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Benchmarks.Amqp;

/// <summary>
/// The full AMQP 0-9-1 path on one long-lived connection: frame both directions, decode the methods and
/// content headers, gather the bodies, pair requests with replies, build the <see cref="AmqpRecord"/>s.
/// Divide the allocation by the records a call returns for bytes per record.
/// </summary>
[MemoryDiagnoser]
public class AmqpParseBenchmarks
{
    /// <summary>Messages in one batch; each is published and delivered, so a batch makes twice as many records.</summary>
    public const int Messages = 16;

    /// <summary>Records one <see cref="PublishAndDeliver"/> call makes.</summary>
    public const int RecordsPerBatch = 2 * Messages;

    private const int LargeBodyBytes = 1024 * 1024;
    private const int FrameMax = 128 * 1024;

    private ParserExchange _connection = null!;
    private ReadOnlySequence<byte> _publishes;
    private ReadOnlySequence<byte> _deliveries;
    private ReadOnlySequence<byte> _declares;
    private ReadOnlySequence<byte> _declareOks;
    private ReadOnlySequence<byte> _largeDelivery;

    [GlobalSetup]
    public void Setup()
    {
        _connection = new ParserExchange(new AmqpParser());
        var body = Encoding.ASCII.GetBytes("a message body of thirty-two b..");
        var publishes = new List<byte>();
        var deliveries = new List<byte>();
        var declares = new List<byte>();
        var declareOks = new List<byte>();
        for (int i = 0; i < Messages; i++)
        {
            var routingKey = "orders." + i;
            publishes.AddRange(Method(1, 60, 40, [0, 0, .. ShortString("orders"), .. ShortString(routingKey), 0]));
            publishes.AddRange(Header(1, body.Length));
            publishes.AddRange(Frame(3, 1, body));
            deliveries.AddRange(Method(1, 60, 60, [.. ShortString("amq.ctag-1"), .. Long64(i + 1), 0, .. ShortString("orders"), .. ShortString(routingKey)]));
            deliveries.AddRange(Header(1, body.Length));
            deliveries.AddRange(Frame(3, 1, body));
            declares.AddRange(Method(1, 50, 10, [0, 0, .. ShortString("queue-" + i), 0, 0, 0, 0, 0]));
            declareOks.AddRange(Method(1, 50, 11, [.. ShortString("queue-" + i), 0, 0, 0, 3, 0, 0, 0, 1]));
        }

        _publishes = new ReadOnlySequence<byte>([.. publishes]);
        _deliveries = new ReadOnlySequence<byte>([.. deliveries]);
        _declares = new ReadOnlySequence<byte>([.. declares]);
        _declareOks = new ReadOnlySequence<byte>([.. declareOks]);

        var large = new List<byte>(LargeBodyBytes + 1024);
        large.AddRange(Method(1, 60, 60, [.. ShortString("amq.ctag-1"), .. Long64(1), 0, .. ShortString("blobs"), .. ShortString("b")]));
        large.AddRange(Header(1, LargeBodyBytes));
        var chunk = new byte[FrameMax - 8];
        chunk.AsSpan().Fill((byte)'x');
        for (int left = LargeBodyBytes; left > 0; left -= chunk.Length)
        {
            large.AddRange(Frame(3, 1, chunk.AsSpan(0, Math.Min(left, chunk.Length)).ToArray()));
        }

        _largeDelivery = new ReadOnlySequence<byte>([.. large]);

        ParserExchange.ExpectRecords(nameof(PublishAndDeliver), PublishAndDeliver(), RecordsPerBatch);
        ParserExchange.ExpectRecords(nameof(DeclareRoundTrips), DeclareRoundTrips(), Messages);
        ParserExchange.ExpectRecords(nameof(LargeDelivery), LargeDelivery(), 1);
    }

    /// <summary>Bytes of one <see cref="PublishAndDeliver"/> call (both directions).</summary>
    public long BatchBytes => _publishes.Length + _deliveries.Length;

    /// <summary>16 publishes with 32-byte bodies (method, content header, body frame), then their 16 deliveries: 32 records.</summary>
    [Benchmark]
    public int PublishAndDeliver() => _connection.Exchange(_publishes, _deliveries);

    /// <summary>16 queue.declare requests, then their 16 declare-ok replies: 16 records with latency.</summary>
    [Benchmark]
    public int DeclareRoundTrips() => _connection.Exchange(_declares, _declareOks);

    /// <summary>One delivery with a 1 MiB body in 128 KiB body frames: streamed past, 256 bytes kept.</summary>
    [Benchmark]
    public int LargeDelivery() => _connection.Feed(StreamDirection.Ingress, _largeDelivery);

    private static byte[] Method(ushort channel, ushort classId, ushort methodId, byte[] arguments)
    {
        var payload = new byte[4 + arguments.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, classId);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), methodId);
        arguments.CopyTo(payload, 4);
        return Frame(1, channel, payload);
    }

    private static byte[] Header(ushort channel, long bodySize)
    {
        var payload = new byte[14 + 11];
        BinaryPrimitives.WriteUInt16BigEndian(payload, 60);
        BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(4), (ulong)bodySize);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(12), 1 << 15); // content-type only
        ShortString("text/plain").CopyTo(payload, 14);
        return Frame(2, channel, payload);
    }

    private static byte[] Frame(byte type, ushort channel, byte[] payload)
    {
        var frame = new byte[8 + payload.Length];
        frame[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), channel);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(3), (uint)payload.Length);
        payload.CopyTo(frame, 7);
        frame[^1] = 0xCE;
        return frame;
    }

    private static byte[] ShortString(string value) => [(byte)value.Length, .. Encoding.ASCII.GetBytes(value)];

    private static byte[] Long64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}
