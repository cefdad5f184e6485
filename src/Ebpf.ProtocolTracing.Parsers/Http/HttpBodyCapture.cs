using System.Buffers;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// Keeps the first bytes of a body, up to a limit, and counts all of them. Bytes after a capture gap
/// are counted but not kept, so what is kept is always a contiguous prefix of the body.
/// </summary>
internal sealed class HttpBodyCapture(int limit)
{
    private byte[]? _buffer;
    private int _kept;
    private bool _gapSeen;

    /// <summary>Real body size so far, including bytes not kept or not captured.</summary>
    public long Size { get; private set; }

    /// <summary>Whether fewer bytes were kept than the body has.</summary>
    public bool Truncated => _kept < Size;

    /// <summary>Prepares room when the body's length is known up front.</summary>
    public void ExpectLength(long length)
    {
        if (_buffer is null && length > 0 && limit > 0)
        {
            _buffer = new byte[(int)Math.Min(length, limit)];
        }
    }

    /// <summary>Counts and keeps (within the limit) the bytes of <paramref name="data"/>.</summary>
    public void Append(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            Append(data.FirstSpan);
            return;
        }

        foreach (var segment in data)
        {
            Append(segment.Span);
        }
    }

    /// <summary>Counts and keeps (within the limit) the bytes of <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        Size += data.Length;
        int room = limit - _kept;
        if (_gapSeen || room <= 0 || data.IsEmpty)
        {
            return;
        }

        int take = Math.Min(room, data.Length);
        EnsureCapacity(_kept + take);
        data[..take].CopyTo(_buffer.AsSpan(_kept));
        _kept += take;
    }

    /// <summary>Counts <paramref name="length"/> body bytes that were not captured.</summary>
    public void AddUncaptured(long length)
    {
        Size += length;
        _gapSeen = true;
    }

    /// <summary>Starts over for a new body; the kept bytes so far stay with whoever holds <see cref="Kept"/>.</summary>
    public void Reset()
    {
        _buffer = null;
        _kept = 0;
        _gapSeen = false;
        Size = 0;
    }

    /// <summary>The kept bytes.</summary>
    public ReadOnlyMemory<byte> Kept => _buffer is null ? ReadOnlyMemory<byte>.Empty : new ReadOnlyMemory<byte>(_buffer, 0, _kept);

    private void EnsureCapacity(int needed)
    {
        if (_buffer is not null && _buffer.Length >= needed)
        {
            return;
        }

        // A body of unknown length starts with room for exactly its first piece: most bodies (an HTTP/2
        // DATA frame of a small answer) are one piece, and the record keeps the array. Later pieces grow it.
        int size = _buffer is null ? needed : Math.Min(limit, Math.Max(needed, Math.Max(256, _buffer.Length * 2)));
        var grown = new byte[size];
        _buffer?.AsSpan(0, _kept).CopyTo(grown);
        _buffer = grown;
    }
}
