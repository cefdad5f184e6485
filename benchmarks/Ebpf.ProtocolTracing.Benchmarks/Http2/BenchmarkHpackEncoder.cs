using Ebpf.ProtocolTracing.Http2.Hpack;

namespace Ebpf.ProtocolTracing.Benchmarks.Http2;

/// <summary>
/// A small HPACK encoder (RFC 7541) with a dynamic table, as a browser or gRPC library encodes: fields already
/// in the static or dynamic table are indexed, others are literals with incremental indexing (by indexed
/// name when the name is known), strings Huffman-coded when that is shorter.
/// </summary>
internal sealed class BenchmarkHpackEncoder
{
    private const int EntryOverhead = 32;
    private readonly List<(string Name, string Value)> _dynamic = []; // newest first
    private readonly int _maxTableSize;
    private int _tableSize;

    public BenchmarkHpackEncoder(int maxTableSize = HpackDecoder.DefaultTableSize) => _maxTableSize = maxTableSize;

    /// <summary>Encodes one header block, updating the dynamic table as the decoder will.</summary>
    public byte[] Encode(params (string Name, string Value)[] fields) => Encode(null, fields);

    /// <summary>Encodes one header block; fields named <paramref name="notIndexed"/> are literals that do not enter the table.</summary>
    public byte[] Encode(string? notIndexed, params (string Name, string Value)[] fields)
    {
        var block = new List<byte>();
        foreach (var (name, value) in fields)
        {
            if (name == notIndexed)
            {
                int staticName = IndexOf(name, value, matchValue: false);
                Integer(block, staticName, 4, 0x00);
                if (staticName == 0)
                {
                    String(block, name);
                }

                String(block, value);
                continue;
            }

            int full = IndexOf(name, value, matchValue: true);
            if (full > 0)
            {
                Integer(block, full, 7, 0x80);
                continue;
            }

            int nameIndex = IndexOf(name, value, matchValue: false);
            Integer(block, nameIndex, 6, 0x40);
            if (nameIndex == 0)
            {
                String(block, name);
            }

            String(block, value);
            Insert(name, value);
        }

        return [.. block];
    }

    /// <summary>The absolute index (static 1…61, then dynamic) of a field or of its name; 0 when absent.</summary>
    private int IndexOf(string name, string value, bool matchValue)
    {
        for (int i = 1; i <= HpackStaticTable.Count; i++)
        {
            var entry = HpackStaticTable.Get(i);
            if (entry.Name == name && (!matchValue || entry.Value == value))
            {
                return i;
            }
        }

        for (int i = 0; i < _dynamic.Count; i++)
        {
            if (_dynamic[i].Name == name && (!matchValue || _dynamic[i].Value == value))
            {
                return HpackStaticTable.Count + 1 + i;
            }
        }

        return 0;
    }

    private void Insert(string name, string value)
    {
        int size = name.Length + value.Length + EntryOverhead;
        _dynamic.Insert(0, (name, value));
        _tableSize += size;
        while (_tableSize > _maxTableSize && _dynamic.Count > 0)
        {
            var evicted = _dynamic[^1];
            _dynamic.RemoveAt(_dynamic.Count - 1);
            _tableSize -= evicted.Name.Length + evicted.Value.Length + EntryOverhead;
        }
    }

    private static void Integer(List<byte> block, int value, int prefixBits, byte pattern)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.Add((byte)(pattern | value));
            return;
        }

        block.Add((byte)(pattern | max));
        value -= max;
        while (value >= 128)
        {
            block.Add((byte)((value & 0x7f) | 0x80));
            value >>= 7;
        }

        block.Add((byte)value);
    }

    private static void String(List<byte> block, string text)
    {
        long bits = 0;
        foreach (char c in text)
        {
            bits += HuffmanTable.Lengths[c];
        }

        int huffmanLength = (int)((bits + 7) / 8);
        if (huffmanLength >= text.Length)
        {
            Integer(block, text.Length, 7, 0x00);
            foreach (char c in text)
            {
                block.Add((byte)c);
            }

            return;
        }

        Integer(block, huffmanLength, 7, 0x80);
        ulong buffer = 0;
        int buffered = 0;
        foreach (char c in text)
        {
            buffer = (buffer << HuffmanTable.Lengths[c]) | HuffmanTable.Codes[c];
            buffered += HuffmanTable.Lengths[c];
            while (buffered >= 8)
            {
                buffered -= 8;
                block.Add((byte)(buffer >> buffered));
            }
        }

        if (buffered > 0)
        {
            // Pad with the most significant bits of EOS (all ones), RFC 7541 5.2.
            block.Add((byte)((buffer << (8 - buffered)) | (0xffu >> buffered)));
        }
    }
}
