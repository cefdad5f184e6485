using System.Buffers;

namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>Cuts memory into a chain of small segments (1, 2, 3, 5, 7 bytes, repeating): boundaries everywhere.</summary>
internal static class Segments
{
    private static readonly int[] Sizes = [1, 2, 3, 5, 7];

    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> memory)
    {
        if (memory.Length <= 1)
        {
            return new ReadOnlySequence<byte>(memory);
        }

        Segment? first = null;
        Segment? last = null;
        int offset = 0;
        for (int i = 0; offset < memory.Length; i++)
        {
            var length = Math.Min(Sizes[i % Sizes.Length], memory.Length - offset);
            var piece = memory.Slice(offset, length);
            last = last is null ? first = new Segment(piece, 0) : last.Append(piece);
            offset += length;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
