using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

/// <summary>
/// A BPF ring buffer laid out in plain memory as the kernel lays it out in the mapping: consumer and
/// producer positions and a data area whose second copy mirrors the first (the kernel maps the same
/// pages twice), written the way a producer writes it.
/// </summary>
internal sealed unsafe class SyntheticRing : IDisposable
{
    private readonly byte* memory;

    public SyntheticRing(uint size)
    {
        Size = size;
        memory = (byte*)NativeMemory.AlignedAlloc(16 + (2 * (nuint)size), 64);
        NativeMemory.Clear(memory, 16 + (2 * (nuint)size));
    }

    public uint Size { get; }

    public ulong* Consumer => (ulong*)memory;

    public ulong* Producer => (ulong*)(memory + 8);

    public byte* Data => memory + 16;

    /// <summary>Reserves and writes a record at the producer position.</summary>
    /// <returns>The record's position.</returns>
    public ulong Append(ReadOnlySpan<byte> sample, bool discard = false, bool busy = false)
    {
        var position = *Producer;
        var length = (uint)sample.Length | (discard ? RingBufferWalk.DiscardBit : 0) | (busy ? RingBufferWalk.BusyBit : 0);
        WriteHeader(position, length);
        for (var i = 0; i < sample.Length; i++)
        {
            WriteByte(position + RingBufferWalk.HeaderSize + (ulong)i, sample[i]);
        }

        *Producer = position + (((ulong)sample.Length + RingBufferWalk.HeaderSize + 7) & ~7ul);
        return position;
    }

    /// <summary>Overwrites the length word of the record at <paramref name="position"/> (to commit it, or to corrupt it).</summary>
    public void WriteHeader(ulong position, uint length)
    {
        for (var i = 0; i < 4; i++)
        {
            WriteByte(position + (ulong)i, (byte)(length >> (8 * i)));
        }
    }

    private void WriteByte(ulong position, byte value)
    {
        var offset = position & (Size - 1);
        Data[offset] = value;
        Data[offset + Size] = value;
    }

    public void Dispose() => NativeMemory.AlignedFree(memory);
}
