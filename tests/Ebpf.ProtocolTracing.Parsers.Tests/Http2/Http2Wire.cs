using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http2;

/// <summary>Builds HTTP/2 frames and HPACK blocks for tests (a small encoder, independent of the decoder under test).</summary>
internal static class Http2Wire
{
    public static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    public static byte[] Settings(params (ushort Id, uint Value)[] settings)
    {
        var payload = new byte[settings.Length * 6];
        for (int i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(i * 6), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(i * 6 + 2), settings[i].Value);
        }

        return Frame(4, 0, 0, payload);
    }

    public static byte[] SettingsAck() => Frame(4, 1, 0, []);

    public static byte[] Ping(bool ack = false) => Frame(6, ack ? (byte)1 : (byte)0, 0, new byte[8]);

    public static byte[] WindowUpdate(int streamId, int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        return Frame(8, 0, streamId, payload);
    }

    public static byte[] Headers(int streamId, byte[] block, bool endStream = false, bool endHeaders = true) =>
        Frame(1, (byte)((endStream ? 1 : 0) | (endHeaders ? 4 : 0)), streamId, block);

    public static byte[] PaddedPriorityHeaders(int streamId, byte[] block, int padding, bool endStream)
    {
        var payload = new byte[1 + 5 + block.Length + padding];
        payload[0] = (byte)padding;
        payload[5] = 16; // dependency 0, weight 16
        block.CopyTo(payload, 6);
        return Frame(1, (byte)(0x4 | 0x8 | 0x20 | (endStream ? 1 : 0)), streamId, payload);
    }

    public static byte[] Continuation(int streamId, byte[] fragment, bool endHeaders) => Frame(9, endHeaders ? (byte)4 : (byte)0, streamId, fragment);

    public static byte[] Data(int streamId, ReadOnlySpan<byte> data, bool endStream = false) => Frame(0, endStream ? (byte)1 : (byte)0, streamId, data);

    public static byte[] PaddedData(int streamId, ReadOnlySpan<byte> data, int padding, bool endStream)
    {
        var payload = new byte[1 + data.Length + padding];
        payload[0] = (byte)padding;
        data.CopyTo(payload.AsSpan(1));
        return Frame(0, (byte)(0x8 | (endStream ? 1 : 0)), streamId, payload);
    }

    public static byte[] RstStream(int streamId, uint code)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, code);
        return Frame(3, 0, streamId, payload);
    }

    public static byte[] GoAway(int lastStreamId, uint code, string debug = "")
    {
        var payload = new byte[8 + debug.Length];
        BinaryPrimitives.WriteInt32BigEndian(payload, lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), code);
        Encoding.ASCII.GetBytes(debug).CopyTo(payload, 8);
        return Frame(7, 0, 0, payload);
    }

    public static byte[] PushPromise(int streamId, int promisedStreamId, byte[] block)
    {
        var payload = new byte[4 + block.Length];
        BinaryPrimitives.WriteInt32BigEndian(payload, promisedStreamId);
        block.CopyTo(payload, 4);
        return Frame(5, 4, streamId, payload);
    }

    /// <summary>A gRPC length-prefixed message.</summary>
    public static byte[] GrpcMessage(ReadOnlySpan<byte> message, bool compressed = false)
    {
        var framed = new byte[5 + message.Length];
        framed[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), message.Length);
        message.CopyTo(framed.AsSpan(5));
        return framed;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}

/// <summary>An HPACK encoder for tests: static-table references, literals with or without indexing, optional Huffman.</summary>
internal sealed class HpackTestEncoder
{
    private readonly List<byte> _block = [];

    /// <summary>Static index of a (name, value) pair; only the ones tests use.</summary>
    private static readonly Dictionary<(string, string), int> StaticFull = new()
    {
        [(":method", "GET")] = 2, [(":method", "POST")] = 3, [(":path", "/")] = 4, [(":scheme", "http")] = 6,
        [(":scheme", "https")] = 7, [(":status", "200")] = 8, [(":status", "204")] = 9, [(":status", "404")] = 13, [(":status", "500")] = 14,
    };

    private static readonly Dictionary<string, int> StaticName = new()
    {
        [":authority"] = 1, [":method"] = 2, [":path"] = 4, [":scheme"] = 6, [":status"] = 8, ["authorization"] = 23,
        ["content-length"] = 28, ["content-type"] = 31, ["cookie"] = 32, ["set-cookie"] = 55, ["user-agent"] = 58,
    };

    public static byte[] Block(params (string Name, string Value)[] fields) => Block(index: true, huffman: false, fields);

    public static byte[] Block(bool index, bool huffman, params (string Name, string Value)[] fields)
    {
        var encoder = new HpackTestEncoder();
        foreach (var (name, value) in fields)
        {
            encoder.Add(name, value, index, huffman);
        }

        return encoder.ToArray();
    }

    public HpackTestEncoder Add(string name, string value, bool index = true, bool huffman = false)
    {
        if (StaticFull.TryGetValue((name, value), out int full))
        {
            Integer(full, 7, 0x80);
            return this;
        }

        int nameIndex = StaticName.GetValueOrDefault(name);
        Integer(nameIndex, index ? 6 : 4, index ? (byte)0x40 : (byte)0x00);
        if (nameIndex == 0)
        {
            String(name, huffman);
        }

        String(value, huffman);
        return this;
    }

    /// <summary>A reference to an entry by absolute index (static 1…61, dynamic 62…).</summary>
    public HpackTestEncoder Indexed(int index)
    {
        Integer(index, 7, 0x80);
        return this;
    }

    /// <summary>A literal with incremental indexing whose name is an absolute index.</summary>
    public HpackTestEncoder IndexedName(int nameIndex, string value)
    {
        Integer(nameIndex, 6, 0x40);
        String(value, huffman: false);
        return this;
    }

    public HpackTestEncoder SizeUpdate(int size)
    {
        Integer(size, 5, 0x20);
        return this;
    }

    public byte[] ToArray() => [.. _block];

    private void String(string text, bool huffman)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        if (huffman)
        {
            bytes = HuffmanDecoderTests.Encode(bytes);
        }

        Integer(bytes.Length, 7, huffman ? (byte)0x80 : (byte)0);
        _block.AddRange(bytes);
    }

    private void Integer(int value, int prefixBits, byte firstByteFlags)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            _block.Add((byte)(firstByteFlags | value));
            return;
        }

        _block.Add((byte)(firstByteFlags | max));
        value -= max;
        while (value >= 128)
        {
            _block.Add((byte)((value & 0x7F) | 0x80));
            value >>= 7;
        }

        _block.Add((byte)value);
    }
}
