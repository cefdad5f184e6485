using System.Buffers;

namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>
/// Lets a parser read an event's payload in place, as a <see cref="ReadOnlySequence{T}"/>, without
/// copying it into a buffer first. Reused for every event; valid only while the payload is pinned.
/// </summary>
/// <remarks>
/// Parsers hand back unconsumed bytes on every call, so nothing may keep this memory after
/// <see cref="Parsing.IConnectionParser.Parse"/> returns; the tracker copies the unconsumed rest.
/// </remarks>
internal sealed unsafe class PayloadMemory : MemoryManager<byte>
{
    private byte* _pointer;
    private int _length;

    /// <summary>Whether a payload is currently lent out (nested use would overwrite it).</summary>
    public bool InUse => _pointer != null;

    /// <summary>Points at pinned payload bytes; call <see cref="Clear"/> before unpinning them.</summary>
    public void Set(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    /// <summary>Forgets the payload.</summary>
    public void Clear()
    {
        _pointer = null;
        _length = 0;
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => new(_pointer, _length);

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex);
    }

    /// <inheritdoc />
    public override void Unpin()
    {
        // The caller keeps the payload pinned for as long as it is lent out.
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => Clear();
}
