namespace Ebpf.ProtocolTracing.Http2.Hpack;

/// <summary>
/// The HPACK dynamic table (RFC 7541 2.3.2, 4): newest entry first, evicted oldest first when the
/// size (name + value + 32 per entry) would pass the maximum.
/// </summary>
/// <remarks>
/// When decoding starts in the middle of a connection, or after a header block was lost, the table's
/// real contents are unknown. Entries inserted since then are known (indices are positions from the
/// newest entry, so they stay right however many unknown entries lie behind them); an index beyond
/// them refers to an unknown entry. An entry whose name came from an unknown entry is stored with an
/// unknown name (<see langword="null"/>).
/// </remarks>
internal sealed class HpackDynamicTable
{
    /// <summary>Per-entry overhead counted by the size rule (RFC 7541 4.1).</summary>
    public const int EntryOverhead = 32;

    private Entry[] _entries = new Entry[16];
    private int _newest;
    private int _count;

    public HpackDynamicTable(int maxSize, bool contentsKnown)
    {
        MaxSize = maxSize;
        HasUnknownEntries = !contentsKnown;
    }

    /// <summary>Entries held.</summary>
    public int Count => _count;

    /// <summary>Current size by the RFC 7541 4.1 rule.</summary>
    public int Size { get; private set; }

    /// <summary>Current maximum size.</summary>
    public int MaxSize { get; private set; }

    /// <summary>Whether entries of unknown content may lie behind the known ones.</summary>
    public bool HasUnknownEntries { get; private set; }

    /// <summary>Looks up a 0-based position from the newest entry.</summary>
    /// <returns>
    /// <see langword="false"/> when the position is past every entry and none is unknown (a decoding error).
    /// A position past the known entries of a table with unknown entries gives an entry with both parts unknown.
    /// </returns>
    public bool TryGet(int position, out string? name, out string? value)
    {
        if ((uint)position < (uint)_count)
        {
            ref var entry = ref _entries[(_newest + position) % _entries.Length];
            name = entry.Name;
            value = entry.Value;
            return true;
        }

        name = null;
        value = null;
        return HasUnknownEntries;
    }

    /// <summary>Inserts an entry (RFC 7541 4.4); <paramref name="name"/> or <paramref name="value"/> may be unknown.</summary>
    public void Insert(string? name, string? value, int nameLength, int valueLength)
    {
        int size = nameLength + valueLength + EntryOverhead;
        if (size > MaxSize)
        {
            // An entry larger than the table empties it and is not added.
            Clear();
            HasUnknownEntries = false;
            return;
        }

        EvictUntil(MaxSize - size);
        if (_count == _entries.Length)
        {
            Grow();
        }

        _newest = (_newest - 1 + _entries.Length) % _entries.Length;
        _entries[_newest] = new Entry(name, value, size);
        _count++;
        Size += size;
    }

    /// <summary>A dynamic table size update (RFC 7541 6.3) or a bound from SETTINGS: evicts to fit.</summary>
    public void SetMaxSize(int maxSize)
    {
        MaxSize = maxSize;
        EvictUntil(maxSize);
    }

    /// <summary>The table's contents can no longer be trusted (a header block was lost): forget them.</summary>
    public void MarkUnknown()
    {
        Clear();
        HasUnknownEntries = true;
    }

    private void Clear()
    {
        Array.Clear(_entries);
        _count = 0;
        _newest = 0;
        Size = 0;
    }

    private void EvictUntil(int size)
    {
        if (size <= 0)
        {
            // Emptied: no unknown entry can survive either.
            HasUnknownEntries = false;
        }

        while (Size > size && _count > 0)
        {
            int oldest = (_newest + _count - 1) % _entries.Length;
            Size -= _entries[oldest].Size;
            _entries[oldest] = default;
            _count--;

            // Unknown entries are older than every known one, so the encoder evicted them first.
            HasUnknownEntries = false;
        }
    }

    private void Grow()
    {
        var grown = new Entry[_entries.Length * 2];
        for (int i = 0; i < _count; i++)
        {
            grown[i] = _entries[(_newest + i) % _entries.Length];
        }

        _entries = grown;
        _newest = 0;
    }

    private readonly record struct Entry(string? Name, string? Value, int Size);
}
