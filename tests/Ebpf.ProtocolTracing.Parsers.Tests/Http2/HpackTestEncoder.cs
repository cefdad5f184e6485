using System.Text;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http2;

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
