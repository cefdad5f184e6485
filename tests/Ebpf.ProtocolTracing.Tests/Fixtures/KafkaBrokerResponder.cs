using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// The smallest Kafka broker a producer can deliver to, written from the public protocol description
/// (https://kafka.apache.org/protocol): no Kafka broker can be installed here, so the real clients
/// (librdkafka through Confluent.Kafka, and kcat) talk to this. It answers ApiVersions (advertising
/// ApiVersions 0–3, Metadata 1–12 and Produce 3–9, so current clients use the flexible encodings, and Fetch 4–12,
/// which it never answers), Metadata (itself
/// as broker 0, the one topic with one partition it leads) and Produce (every partition accepted, offsets
/// counted); anything else closes the connection.
/// </summary>
internal sealed class KafkaBrokerResponder : IAsyncDisposable
{
    private const short ApiVersionsKey = 18;
    private const short MetadataKey = 3;
    private const short ProduceKey = 0;
    private const short FetchKey = 1;
    private const short FindCoordinatorKey = 10;

    private readonly LoopbackResponderListener _listener;
    private readonly List<int> _codecs = [];
    private long _nextOffset;

    private KafkaBrokerResponder(string topic)
    {
        Topic = topic;
        _listener = new LoopbackResponderListener(ServeAsync);
    }

    public int Port => _listener.Port;

    public string Topic { get; }

    public string BootstrapServers => $"127.0.0.1:{Port}";

    /// <summary>The compression codec (attributes bits 0–2) of the first batch of every partition the broker received.</summary>
    public IReadOnlyList<int> Codecs
    {
        get
        {
            lock (_codecs)
            {
                return [.. _codecs];
            }
        }
    }

    /// <summary>Records the broker accepted (counted from the batch headers it received).</summary>
    public long RecordsAccepted => Interlocked.Read(ref _nextOffset);

    public static KafkaBrokerResponder Start(string topic) => new(topic);

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    private async Task ServeAsync(TcpClient client, CancellationToken stopping)
    {
        using (client)
        {
            var stream = client.GetStream();
            var size = new byte[4];
            try
            {
                while (!stopping.IsCancellationRequested)
                {
                    await stream.ReadExactlyAsync(size, stopping);
                    var request = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
                    await stream.ReadExactlyAsync(request, stopping);
                    var response = Answer(request);
                    if (response is null)
                    {
                        continue;
                    }

                    await stream.WriteAsync(response, stopping);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or EndOfStreamException or ObjectDisposedException or NotSupportedException)
            {
            }
        }
    }

    /// <returns>The whole response with its size prefix, or <see langword="null"/> when none is due (acks=0).</returns>
    private byte[]? Answer(byte[] request)
    {
        var reader = new Reader(request);
        short apiKey = reader.Int16();
        short version = reader.Int16();
        int correlationId = reader.Int32();
        reader.Skip(reader.Int16()); // client_id
        switch (apiKey)
        {
            case ApiVersionsKey:
                return ApiVersions(correlationId, version);
            case MetadataKey when version >= 1:
                return Metadata(correlationId, version);
            case ProduceKey when version is >= 3 and <= 9:
                reader.Tags(version >= 9);
                return Produce(ref reader, correlationId, version);
            default:
                throw new NotSupportedException($"the responder does not answer api key {apiKey} v{version}");
        }
    }

    private static byte[] ApiVersions(int correlationId, short version)
    {
        // Fetch is advertised, never answered: librdkafka enables the magic 2 record format only when a broker
        // supports Produce 3+ and Fetch 4+.
        // FindCoordinator is advertised too: librdkafka takes it as a sign that the broker reads LZ4.
        (short Key, short Min, short Max)[] apis = [(ProduceKey, 3, 9), (FetchKey, 4, 12), (MetadataKey, 1, 12), (FindCoordinatorKey, 0, 3), (ApiVersionsKey, 0, 3)];
        // The response header is v0 in every version; an unsupported version gets a v0 body with the error.
        var w = new Writer().Int32(correlationId);
        bool flexible = version >= 3;
        if (version > 3)
        {
            w.Int16(35).Int32(apis.Length);
            foreach (var (key, min, max) in apis)
            {
                w.Int16(key).Int16(min).Int16(max);
            }

            return w.Message();
        }

        w.Int16(0).Array(apis.Length, flexible);
        foreach (var (key, min, max) in apis)
        {
            w.Int16(key).Int16(min).Int16(max).Tags(flexible);
        }

        if (version >= 1)
        {
            w.Int32(0); // throttle_time_ms
        }

        return w.Tags(flexible).Message();
    }

    private byte[] Metadata(int correlationId, short version)
    {
        bool f = version >= 9;
        var w = new Writer().Int32(correlationId).Tags(f);
        if (version >= 3)
        {
            w.Int32(0); // throttle_time_ms
        }

        w.Array(1, f).Int32(0).String("127.0.0.1", f).Int32(Port);
        if (version >= 1)
        {
            w.String(null, f); // rack
        }

        w.Tags(f);
        if (version >= 2)
        {
            w.String("responder-cluster", f);
        }

        if (version >= 1)
        {
            w.Int32(0); // controller_id
        }

        w.Array(1, f).Int16(0).String(Topic, f);
        if (version >= 10)
        {
            w.Raw(Guid.Parse("6d3f4a51-0b59-4b8e-9d55-6f1c2d7e8a90").ToByteArray(bigEndian: true));
        }

        if (version >= 1)
        {
            w.Int8(0); // is_internal
        }

        w.Array(1, f).Int16(0).Int32(0).Int32(0);
        if (version >= 7)
        {
            w.Int32(0); // leader_epoch
        }

        w.Array(1, f).Int32(0).Array(1, f).Int32(0); // replica_nodes, isr_nodes
        if (version >= 5)
        {
            w.Array(0, f); // offline_replicas
        }

        w.Tags(f);
        if (version >= 8)
        {
            w.Int32(int.MinValue); // topic_authorized_operations
        }

        w.Tags(f);
        if (version is >= 8 and <= 10)
        {
            w.Int32(int.MinValue); // cluster_authorized_operations
        }

        return w.Tags(f).Message();
    }

    private byte[]? Produce(ref Reader reader, int correlationId, short version)
    {
        bool flexible = version >= 9;
        reader.SkipString(flexible); // transactional_id
        short acks = reader.Int16();
        _ = reader.Int32(); // timeout_ms
        var w = new Writer().Int32(correlationId).Tags(flexible);
        int topics = reader.ArrayLength(flexible);
        w.Array(topics, flexible);
        for (int t = 0; t < topics; t++)
        {
            string topic = reader.String(flexible);
            int partitions = reader.ArrayLength(flexible);
            w.String(topic, flexible).Array(partitions, flexible);
            for (int p = 0; p < partitions; p++)
            {
                int index = reader.Int32();
                int length = flexible ? (int)reader.UVarInt() - 1 : reader.Int32();
                var batches = reader.Take(Math.Max(length, 0));
                long records = CountRecords(batches);
                if (batches.Length >= 61)
                {
                    lock (_codecs)
                    {
                        _codecs.Add(batches[22] & 0x07);
                    }
                }

                reader.Tags(flexible);
                long baseOffset = Interlocked.Add(ref _nextOffset, records) - records;
                w.Int32(index).Int16(0).Int64(baseOffset).Int64(-1);
                if (version >= 5)
                {
                    w.Int64(0); // log_start_offset
                }

                if (version >= 8)
                {
                    w.Array(0, flexible).String(null, flexible); // record_errors, error_message
                }

                w.Tags(flexible);
            }

            reader.Tags(flexible);
            w.Tags(flexible);
        }

        return acks == 0 ? null : w.Int32(0).Tags(flexible).Message();
    }

    /// <summary>Records in magic 2 batches: the INT32 count at byte 57 of each batch, batches chained by their length.</summary>
    private static long CountRecords(ReadOnlySpan<byte> batches)
    {
        long count = 0;
        while (batches.Length >= 61)
        {
            count += BinaryPrimitives.ReadInt32BigEndian(batches[57..]);
            int next = 12 + BinaryPrimitives.ReadInt32BigEndian(batches[8..]);
            batches = next < batches.Length ? batches[next..] : [];
        }

        return count;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

        public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

        public uint UVarInt()
        {
            uint value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = Take(1)[0];
                value |= (uint)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }

        public ReadOnlySpan<byte> Take(int count)
        {
            var span = _data.Slice(_at, count);
            _at += count;
            return span;
        }

        public void Skip(int count) => _at += Math.Max(count, 0);

        public string String(bool compact)
        {
            int length = compact ? (int)UVarInt() - 1 : Int16();
            return length < 0 ? "" : Encoding.UTF8.GetString(Take(length));
        }

        public void SkipString(bool compact) => Skip(compact ? (int)UVarInt() - 1 : Int16());

        public int ArrayLength(bool compact) => compact ? (int)UVarInt() - 1 : Int32();

        public void Tags(bool flexible)
        {
            if (!flexible)
            {
                return;
            }

            uint count = UVarInt();
            for (uint i = 0; i < count; i++)
            {
                _ = UVarInt();
                Skip((int)UVarInt());
            }
        }
    }

    private sealed class Writer
    {
        private readonly MemoryStream _bytes = new();

        public Writer Int8(int value)
        {
            _bytes.WriteByte((byte)value);
            return this;
        }

        public Writer Int16(int value)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(b, (short)value);
            _bytes.Write(b);
            return this;
        }

        public Writer Int32(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, value);
            _bytes.Write(b);
            return this;
        }

        public Writer Int64(long value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(b, value);
            _bytes.Write(b);
            return this;
        }

        public Writer UVarInt(uint value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _bytes.WriteByte((byte)value);
            return this;
        }

        public Writer String(string? value, bool compact)
        {
            if (value is null)
            {
                return compact ? UVarInt(0) : Int16(-1);
            }

            var utf8 = Encoding.UTF8.GetBytes(value);
            if (compact)
            {
                UVarInt((uint)utf8.Length + 1);
            }
            else
            {
                Int16(utf8.Length);
            }

            _bytes.Write(utf8);
            return this;
        }

        public Writer Array(int count, bool compact) => compact ? UVarInt((uint)(count + 1)) : Int32(count);

        public Writer Tags(bool flexible) => flexible ? UVarInt(0) : this;

        public Writer Raw(ReadOnlySpan<byte> bytes)
        {
            _bytes.Write(bytes);
            return this;
        }

        public byte[] Message()
        {
            var body = _bytes.ToArray();
            var message = new byte[body.Length + 4];
            BinaryPrimitives.WriteInt32BigEndian(message, body.Length);
            body.CopyTo(message, 4);
            return message;
        }
    }
}
