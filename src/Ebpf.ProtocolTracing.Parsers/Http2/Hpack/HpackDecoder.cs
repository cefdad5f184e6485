using System.Text;

namespace Ebpf.ProtocolTracing.Http2.Hpack;

/// <summary>
/// Decodes header blocks (RFC 7541 section 6) for one direction of a connection, keeping that
/// direction's dynamic table.
/// </summary>
/// <remarks>
/// A block that does not decode leaves the table in an unknown state (it may have inserted entries we
/// did not see), so the table is marked unknown rather than trusted: later fields that need its old
/// entries come out unknown instead of wrong.
/// </remarks>
internal sealed class HpackDecoder
{
    /// <summary>SETTINGS_HEADER_TABLE_SIZE until the decoding side advertises another (RFC 9113 6.5.2).</summary>
    public const int DefaultTableSize = 4096;

    /// <summary>Largest integer accepted in a representation; anything larger is not a real header block.</summary>
    private const int MaxInteger = 1 << 24;

    private readonly HpackDynamicTable _table;
    private readonly int _tableSizeCap;
    private byte[] _huffmanScratch = new byte[256];
    private int _allowedTableSize = DefaultTableSize;

    /// <summary>Creates a decoder.</summary>
    /// <param name="tableSizeCap">Most bytes of dynamic table kept whatever the peers agree (memory bound).</param>
    /// <param name="contentsKnown"><see langword="false"/> when decoding joins a connection already in progress.</param>
    public HpackDecoder(int tableSizeCap, bool contentsKnown)
    {
        _tableSizeCap = tableSizeCap;
        _table = new HpackDynamicTable(Math.Min(DefaultTableSize, tableSizeCap), contentsKnown);
    }

    /// <summary>The dynamic table (for tests and diagnostics).</summary>
    public HpackDynamicTable Table => _table;

    /// <summary>Whether the table may hold entries whose content is unknown.</summary>
    public bool HasUnknownEntries => _table.HasUnknownEntries;

    /// <summary>The decoding side advertised SETTINGS_HEADER_TABLE_SIZE: the encoder may use up to that much.</summary>
    /// <remarks>
    /// Only the bound changes here: until the encoder has seen the setting it may still use the old table, and
    /// when it shrinks the table it says so with a size update at the start of a block (RFC 7541 4.2).
    /// </remarks>
    public void SetAllowedTableSize(int size) => _allowedTableSize = size;

    /// <summary>The table's contents can no longer be trusted (a header block was lost).</summary>
    public void MarkUnknown() => _table.MarkUnknown();

    /// <summary>Decodes a complete header block, appending its fields to <paramref name="fields"/>.</summary>
    /// <returns><see langword="false"/> when the block is malformed; the table is then marked unknown.</returns>
    public bool TryDecode(ReadOnlySpan<byte> block, List<HpackField> fields)
    {
        if (Decode(block, fields))
        {
            return true;
        }

        _table.MarkUnknown();
        return false;
    }

    private bool Decode(ReadOnlySpan<byte> block, List<HpackField> fields)
    {
        int position = 0;
        bool fieldSeen = false;
        while (position < block.Length)
        {
            byte first = block[position];
            if ((first & 0x80) != 0)
            {
                // Indexed header field (RFC 7541 6.1).
                if (!TryReadInteger(block, ref position, 7, out int index) || !TryLookup(index, out var name, out var value))
                {
                    return false;
                }

                fields.Add(new HpackField(name, value));
                fieldSeen = true;
            }
            else if ((first & 0xC0) == 0x40)
            {
                // Literal with incremental indexing (RFC 7541 6.2.1).
                if (!TryReadLiteral(block, ref position, 6, out var name, out var value, out int nameLength, out int valueLength))
                {
                    return false;
                }

                fields.Add(new HpackField(name, value));
                _table.Insert(name, value, nameLength, valueLength);
                fieldSeen = true;
            }
            else if ((first & 0xE0) == 0x20)
            {
                // Dynamic table size update (RFC 7541 6.3): only before the first field of a block.
                if (fieldSeen || !TryReadInteger(block, ref position, 5, out int size) || size > _allowedTableSize)
                {
                    return false;
                }

                _table.SetMaxSize(Math.Min(size, _tableSizeCap));
            }
            else
            {
                // Literal without indexing or never indexed (RFC 7541 6.2.2, 6.2.3): 4-bit name index.
                if (!TryReadLiteral(block, ref position, 4, out var name, out var value, out _, out _))
                {
                    return false;
                }

                fields.Add(new HpackField(name, value));
                fieldSeen = true;
            }
        }

        return true;
    }

    private bool TryLookup(int index, out string? name, out string? value)
    {
        if (index == 0)
        {
            name = value = null;
            return false;
        }

        if (index <= HpackStaticTable.Count)
        {
            (name, value) = HpackStaticTable.Get(index);
            return true;
        }

        return _table.TryGet(index - HpackStaticTable.Count - 1, out name, out value);
    }

    private bool TryReadLiteral(ReadOnlySpan<byte> block, ref int position, int prefixBits, out string? name, out string? value, out int nameLength, out int valueLength)
    {
        name = value = null;
        nameLength = valueLength = 0;
        if (!TryReadInteger(block, ref position, prefixBits, out int nameIndex))
        {
            return false;
        }

        if (nameIndex == 0)
        {
            if (!TryReadString(block, ref position, out name))
            {
                return false;
            }

            nameLength = name.Length;
        }
        else
        {
            if (!TryLookup(nameIndex, out name, out _))
            {
                return false;
            }

            nameLength = name?.Length ?? 0;
        }

        if (!TryReadString(block, ref position, out var literal))
        {
            return false;
        }

        value = literal;
        valueLength = literal.Length;
        return true;
    }

    /// <summary>Reads a string literal (RFC 7541 5.2) as Latin-1, so one byte is one character.</summary>
    private bool TryReadString(ReadOnlySpan<byte> block, ref int position, out string text)
    {
        text = string.Empty;
        if (position >= block.Length)
        {
            return false;
        }

        bool huffman = (block[position] & 0x80) != 0;
        if (!TryReadInteger(block, ref position, 7, out int length) || length > block.Length - position)
        {
            return false;
        }

        var raw = block.Slice(position, length);
        position += length;
        if (!huffman)
        {
            text = Encoding.Latin1.GetString(raw);
            return true;
        }

        int room = HuffmanDecoder.MaxDecodedLength(length);
        if (_huffmanScratch.Length < room)
        {
            _huffmanScratch = new byte[Math.Max(room, _huffmanScratch.Length * 2)];
        }

        if (!HuffmanDecoder.TryDecode(raw, _huffmanScratch, out int written))
        {
            return false;
        }

        text = Encoding.Latin1.GetString(_huffmanScratch, 0, written);
        return true;
    }

    /// <summary>Reads an integer with an N-bit prefix (RFC 7541 5.1).</summary>
    internal static bool TryReadInteger(ReadOnlySpan<byte> block, ref int position, int prefixBits, out int value)
    {
        value = 0;
        if (position >= block.Length)
        {
            return false;
        }

        int mask = (1 << prefixBits) - 1;
        value = block[position++] & mask;
        if (value < mask)
        {
            return true;
        }

        int shift = 0;
        while (position < block.Length)
        {
            byte next = block[position++];
            value += (next & 0x7F) << shift;
            if (value > MaxInteger)
            {
                return false;
            }

            if ((next & 0x80) == 0)
            {
                return true;
            }

            shift += 7;
            if (shift > 21)
            {
                return false;
            }
        }

        return false;
    }
}
