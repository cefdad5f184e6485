using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Common;
using Ebpf.ProtocolTracing.Memcached;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Benchmarks.Memcached;

/// <summary>
/// The full memcached path on one long-lived connection: frame commands and responses, pair them, build
/// the <see cref="MemcachedRecord"/>s. Divide the allocation by the records per call for bytes per record.
/// </summary>
[MemoryDiagnoser]
public class MemcachedParseBenchmarks
{
    /// <summary>Text exchanges in one pipelined batch (8 sets and 8 gets).</summary>
    public const int TextRecords = 16;

    /// <summary>Binary records in one batch (16 quiet gets, half of them hits, and the noop that ends them).</summary>
    public const int BinaryRecords = 17;

    private const int LargeValueBytes = 1024 * 1024;

    private ParserExchange _connection = null!;
    private ReadOnlySequence<byte> _textCommands;
    private ReadOnlySequence<byte> _textResponses;
    private ReadOnlySequence<byte> _binaryRequests;
    private ReadOnlySequence<byte> _binaryResponses;
    private ReadOnlySequence<byte> _largeGet;
    private ReadOnlySequence<byte> _largeValue;

    [GlobalSetup]
    public void Setup()
    {
        _connection = new ParserExchange(new MemcachedParser());
        const string value = "a value of some thirty-two bytes";
        var commands = new StringBuilder();
        var responses = new StringBuilder();
        for (int i = 0; i < TextRecords / 2; i++)
        {
            commands.Append(CultureInfo.InvariantCulture, $"set user:{i}:name 0 0 {value.Length}\r\n{value}\r\nget user:{i}:name\r\n");
            responses.Append(CultureInfo.InvariantCulture, $"STORED\r\nVALUE user:{i}:name 0 {value.Length}\r\n{value}\r\nEND\r\n");
        }

        _textCommands = Ascii(commands.ToString());
        _textResponses = Ascii(responses.ToString());

        var requests = new List<byte>();
        var answers = new List<byte>();
        for (uint i = 0; i < BinaryRecords - 1; i++)
        {
            string key = string.Create(CultureInfo.InvariantCulture, $"user:{i}:name");
            requests.AddRange(Binary(0x80, 0x0d, i, key, 0, string.Empty));
            if (i % 2 == 0)
            {
                answers.AddRange(Binary(0x81, 0x0d, i, key, 4, value));
            }
        }

        requests.AddRange(Binary(0x80, 0x0a, 1000, string.Empty, 0, string.Empty));
        answers.AddRange(Binary(0x81, 0x0a, 1000, string.Empty, 0, string.Empty));
        _binaryRequests = new ReadOnlySequence<byte>(requests.ToArray());
        _binaryResponses = new ReadOnlySequence<byte>(answers.ToArray());

        _largeGet = Ascii("get blob\r\n");
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"VALUE blob 0 {LargeValueBytes}\r\n"));
        var large = new byte[header.Length + LargeValueBytes + 7];
        header.CopyTo(large, 0);
        large.AsSpan(header.Length, LargeValueBytes).Fill((byte)'x');
        "\r\nEND\r\n"u8.CopyTo(large.AsSpan(header.Length + LargeValueBytes));
        _largeValue = new ReadOnlySequence<byte>(large);

        ParserExchange.ExpectRecords(nameof(TextPipeline), TextPipeline(), TextRecords);
        ParserExchange.ExpectRecords(nameof(BinaryQuietBatch), BinaryQuietBatch(), BinaryRecords);
        ParserExchange.ExpectRecords(nameof(LargeValue), LargeValue(), 1);
    }

    /// <summary>Bytes of one <see cref="TextPipeline"/> call.</summary>
    public long TextBytes => _textCommands.Length + _textResponses.Length;

    /// <summary>Bytes of one <see cref="BinaryQuietBatch"/> call.</summary>
    public long BinaryBytes => _binaryRequests.Length + _binaryResponses.Length;

    /// <summary>8 sets and 8 gets with 32-byte values, pipelined, then their responses: 16 records.</summary>
    [Benchmark]
    public int TextPipeline() => _connection.Exchange(_textCommands, _textResponses);

    /// <summary>16 binary getkq (8 hits answered, 8 misses implied) and a noop: 17 records.</summary>
    [Benchmark]
    public int BinaryQuietBatch() => _connection.Exchange(_binaryRequests, _binaryResponses);

    /// <summary>A get whose value is 1 MiB: stepped over, not copied.</summary>
    [Benchmark]
    public int LargeValue() => _connection.Exchange(_largeGet, _largeValue);

    private static ReadOnlySequence<byte> Ascii(string text) => new(Encoding.ASCII.GetBytes(text));

    private static byte[] Binary(byte magic, byte opcode, uint opaque, string key, int extras, string value)
    {
        var frame = new byte[24 + extras + key.Length + value.Length];
        frame[0] = magic;
        frame[1] = opcode;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)key.Length);
        frame[4] = (byte)extras;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), (uint)(extras + key.Length + value.Length));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), opaque);
        Encoding.ASCII.GetBytes(key).CopyTo(frame, 24 + extras);
        Encoding.ASCII.GetBytes(value).CopyTo(frame, 24 + extras + key.Length);
        return frame;
    }
}
