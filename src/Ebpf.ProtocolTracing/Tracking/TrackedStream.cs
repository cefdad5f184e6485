using System.Buffers;

namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>
/// One direction of a tracked connection: the contiguous bytes the parser has not consumed yet
/// (pooled), the data that arrived ahead of a missing piece, and when each buffered byte was seen.
/// </summary>
/// <remarks>
/// Invariant: the buffered bytes end at <see cref="Next"/>, the stream position right after the last
/// byte that was placed (buffered, handed to the parser, or declared a gap).
/// </remarks>
internal sealed class TrackedStream
{
    private const int MinimumBufferBytes = 4096;
    private const int InitialTimeEntries = 4;

    // Entries beyond this are not recorded: later bytes take the time of the last recorded chunk.
    private const int MaximumTimeEntries = 1024;

    private readonly TrackerMemory _memory;
    private byte[]? _buffer;
    private int _start;
    private int _length;

    // Ascending (position, timestamp) pairs in [_timeHead, _timeHead + _timeCount). A stream that saw a
    // single chunk (an idle keep-alive connection's one request) keeps it in the two fields below and
    // allocates no arrays; the arrays take over from the second chunk on.
    private long[]? _timePositions;
    private ulong[]? _timeStamps;
    private int _timeHead;
    private int _timeCount;
    private long _onlyTimePosition;
    private ulong _onlyTimeStamp;

    private List<HeldChunk>? _held;

    public TrackedStream(StreamDirection direction, TrackerMemory memory)
    {
        Direction = direction;
        _memory = memory;
    }

    public StreamDirection Direction { get; }

    /// <summary>Stream position right after the last placed byte: where the next in-order event starts.</summary>
    public long Next { get; set; }

    /// <summary>The parser lost its place; the next bytes go through TryFindFrameStart first.</summary>
    public bool Resyncing { get; set; }

    /// <summary>Kernel time of the first data event of this stream; 0 before any.</summary>
    public ulong FirstTimestampNs { get; set; }

    /// <summary>Contiguous bytes not consumed by the parser yet.</summary>
    public int BufferedLength => _length;

    /// <summary>Stream position of the first buffered byte.</summary>
    public long BufferStart => Next - _length;

    /// <summary>Bytes held because they arrived ahead of a missing piece.</summary>
    public long HeldBytes { get; private set; }

    /// <summary>Data events waiting for a missing earlier piece.</summary>
    public int HeldCount => _held?.Count ?? 0;

    /// <summary>Buffered plus held bytes: what this stream costs in memory.</summary>
    public long MemoryBytes => _length + HeldBytes;

    public ReadOnlySequence<byte> Buffered => _length == 0 ? ReadOnlySequence<byte>.Empty : new(_buffer!, _start, _length);

    public ReadOnlySpan<byte> BufferedSpan => _length == 0 ? default : new(_buffer, _start, _length);

    /// <summary>Appends bytes after the buffered ones; the caller advances <see cref="Next"/> when they are new.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(MinimumBufferBytes, data.Length));
            _start = 0;
        }
        else if (_buffer.Length - _start - _length < data.Length)
        {
            if (_buffer.Length - _length >= data.Length && _length <= _buffer.Length / 2)
            {
                // Enough room once the consumed prefix is gone: slide the rest to the front.
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _length);
            }
            else
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + data.Length));
                Buffer.BlockCopy(_buffer, _start, bigger, 0, _length);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            _start = 0;
        }

        data.CopyTo(_buffer.AsSpan(_start + _length));
        _length += data.Length;
        _memory.Add(data.Length);
    }

    /// <summary>Forgets the first <paramref name="count"/> buffered bytes (the parser consumed or skipped them).</summary>
    public void Consume(int count)
    {
        if (count <= 0)
        {
            return;
        }

        count = Math.Min(count, _length);
        _start += count;
        _length -= count;
        _memory.Remove(count);
        if (_length == 0)
        {
            ReturnBuffer();
        }
    }

    /// <summary>Drops every buffered byte and returns how many there were.</summary>
    public int DropBuffered()
    {
        var dropped = _length;
        _memory.Remove(dropped);
        _length = 0;
        ReturnBuffer();
        return dropped;
    }

    /// <summary>Keeps a copy of data that arrived ahead of a missing piece, in stream order.</summary>
    public void Hold(long position, long originalLength, ReadOnlySpan<byte> captured, ulong timestampNs)
    {
        byte[]? copy = null;
        if (!captured.IsEmpty)
        {
            copy = ArrayPool<byte>.Shared.Rent(captured.Length);
            captured.CopyTo(copy);
        }

        _held ??= new List<HeldChunk>(4);
        var index = _held.Count;
        while (index > 0 && _held[index - 1].Position > position)
        {
            index--;
        }

        _held.Insert(index, new HeldChunk(position, originalLength, captured.Length, timestampNs, copy));
        HeldBytes += captured.Length;
        _memory.Add(captured.Length);
    }

    /// <summary>The earliest held chunk.</summary>
    public HeldChunk PeekHeld() => _held![0];

    /// <summary>Removes the earliest held chunk; the caller returns its <see cref="HeldChunk.Data"/> to the pool.</summary>
    public HeldChunk TakeHeld()
    {
        var chunk = _held![0];
        _held.RemoveAt(0);
        HeldBytes -= chunk.CapturedLength;
        _memory.Remove(chunk.CapturedLength);
        return chunk;
    }

    /// <summary>Drops held chunks and returns how many captured bytes they had.</summary>
    public long DropHeld()
    {
        if (_held is null || _held.Count == 0)
        {
            return 0;
        }

        var dropped = HeldBytes;
        foreach (var chunk in _held)
        {
            if (chunk.Data is not null)
            {
                ArrayPool<byte>.Shared.Return(chunk.Data);
            }
        }

        _held.Clear();
        _memory.Remove(HeldBytes);
        HeldBytes = 0;
        return dropped;
    }

    /// <summary>Notes that the chunk starting at <paramref name="position"/> was seen at <paramref name="timestampNs"/>.</summary>
    public void RecordTime(long position, ulong timestampNs)
    {
        if (_timePositions is null)
        {
            if (_timeCount == 0 || _onlyTimePosition == position)
            {
                _onlyTimePosition = position;
                _onlyTimeStamp = timestampNs;
                _timeCount = 1;
                return;
            }

            _timePositions = new long[InitialTimeEntries];
            _timeStamps = new ulong[InitialTimeEntries];
            _timePositions[0] = _onlyTimePosition;
            _timeStamps[0] = _onlyTimeStamp;
        }

        if (_timeCount > 0)
        {
            var last = _timeHead + _timeCount - 1;
            if (_timePositions[last] == position)
            {
                _timeStamps![last] = timestampNs;
                return;
            }
        }

        if (_timeHead + _timeCount == _timePositions.Length && !MakeTimeRoom())
        {
            return;
        }

        var slot = _timeHead + _timeCount;
        _timePositions[slot] = position;
        _timeStamps![slot] = timestampNs;
        _timeCount++;
    }

    /// <summary>
    /// Kernel time of the event that carried the byte at <paramref name="position"/>; the earliest known
    /// time for positions before every recorded chunk, <paramref name="fallbackNs"/> when none is recorded.
    /// </summary>
    public ulong TimeAt(long position, ulong fallbackNs)
    {
        if (_timeCount == 0)
        {
            return fallbackNs;
        }

        if (_timePositions is null)
        {
            return _onlyTimeStamp;
        }

        var low = _timeHead;
        var high = _timeHead + _timeCount - 1;
        if (position < _timePositions![low])
        {
            return _timeStamps![low];
        }

        // Last entry whose position is at or before the byte.
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (_timePositions[middle] <= position)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return _timeStamps![low];
    }

    /// <summary>Returns every pooled array; the stream keeps only its position.</summary>
    public void Release()
    {
        DropBuffered();
        DropHeld();
        _held = null;
        _timePositions = null;
        _timeStamps = null;
        _timeHead = 0;
        _timeCount = 0;
    }

    private bool MakeTimeRoom()
    {
        // Entries for bytes already consumed can go, except the one covering the first buffered byte.
        var bufferStart = BufferStart;
        var removable = 0;
        while (removable + 1 < _timeCount && _timePositions![_timeHead + removable + 1] <= bufferStart)
        {
            removable++;
        }

        if (removable == 0 && _timeHead == 0)
        {
            var capacity = _timePositions!.Length;
            if (capacity >= MaximumTimeEntries)
            {
                return false;
            }

            Array.Resize(ref _timePositions, capacity * 2);
            Array.Resize(ref _timeStamps, capacity * 2);
            return true;
        }

        _timeHead += removable;
        _timeCount -= removable;
        Array.Copy(_timePositions!, _timeHead, _timePositions!, 0, _timeCount);
        Array.Copy(_timeStamps!, _timeHead, _timeStamps!, 0, _timeCount);
        _timeHead = 0;
        return true;
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _start = 0;
    }
}
