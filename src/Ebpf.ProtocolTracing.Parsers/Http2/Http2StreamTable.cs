namespace Ebpf.ProtocolTracing.Http2;

/// <summary>The streams followed on one connection, bounded: the oldest is evicted when full.</summary>
internal sealed class Http2StreamTable(int maxOpenStreams, int maxBodyBytes)
{
    private readonly Dictionary<int, Http2Stream> _streams = [];
    private long _nextSequence;

    /// <summary>Streams followed now.</summary>
    public int Count => _streams.Count;

    /// <summary>Streams evicted to stay within the bound.</summary>
    public long Evicted { get; private set; }

    public Http2Stream? Find(int id) => _streams.GetValueOrDefault(id);

    /// <summary>Finds or creates a stream; when the table is full, <paramref name="evicted"/> is the oldest, already removed.</summary>
    public Http2Stream GetOrCreate(int id, out Http2Stream? evicted)
    {
        evicted = null;
        if (_streams.TryGetValue(id, out var stream))
        {
            return stream;
        }

        if (_streams.Count >= maxOpenStreams)
        {
            evicted = Oldest();
            _streams.Remove(evicted.Id);
            Evicted++;
        }

        stream = new Http2Stream(id, _nextSequence++, maxBodyBytes);
        _streams.Add(id, stream);
        return stream;
    }

    public void Remove(Http2Stream stream) => _streams.Remove(stream.Id);

    /// <summary>Removes and returns every stream, oldest first.</summary>
    public List<Http2Stream> TakeAll()
    {
        var all = new List<Http2Stream>(_streams.Values);
        all.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        _streams.Clear();
        return all;
    }

    /// <summary>Streams with an id above <paramref name="lastStreamId"/>, oldest first (for GOAWAY).</summary>
    public List<Http2Stream> Above(int lastStreamId)
    {
        var above = new List<Http2Stream>();
        foreach (var stream in _streams.Values)
        {
            if (stream.Id > lastStreamId)
            {
                above.Add(stream);
            }
        }

        above.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return above;
    }

    /// <summary>Every stream (for marking losses).</summary>
    public Dictionary<int, Http2Stream>.ValueCollection All => _streams.Values;

    private Http2Stream Oldest()
    {
        Http2Stream? oldest = null;
        foreach (var stream in _streams.Values)
        {
            if (oldest is null || stream.Sequence < oldest.Sequence)
            {
                oldest = stream;
            }
        }

        return oldest!;
    }
}
