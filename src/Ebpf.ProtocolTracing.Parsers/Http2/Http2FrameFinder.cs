using System.Buffers;

namespace Ebpf.ProtocolTracing.Http2;

/// <summary>
/// Finds where a frame starts in bytes of unknown alignment (after a gap or invalid bytes): the client
/// preface, or a plausible frame header whose successor, when it lies within the bytes, is plausible too.
/// </summary>
internal static class Http2FrameFinder
{
    /// <summary>Most bytes examined per call; resync is rare, so a copy of this much is acceptable.</summary>
    private const int ScanLimit = 256 * 1024;

    public static bool TryFind(in ReadOnlySequence<byte> data, int maxFrameLength, out SequencePosition frameStart)
    {
        frameStart = data.Start;
        int length = (int)Math.Min(data.Length, ScanLimit);
        if (length < Http2FrameHeader.Size)
        {
            return false;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var bytes = rented.AsSpan(0, length);
            data.Slice(0, length).CopyTo(bytes);
            int found = Find(bytes, maxFrameLength);
            if (found < 0)
            {
                return false;
            }

            frameStart = data.GetPosition(found);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The offset of the first frame start in <paramref name="bytes"/>, or -1.</summary>
    internal static int Find(ReadOnlySpan<byte> bytes, int maxFrameLength)
    {
        var preface = Http2Preface.Bytes;
        for (int i = 0; i + Http2FrameHeader.Size <= bytes.Length; i++)
        {
            if (bytes[i] == preface[0] && bytes[i..].StartsWith(preface))
            {
                return i;
            }

            var header = Http2FrameHeader.Read(bytes.Slice(i, Http2FrameHeader.Size));
            if (!header.IsPlausible(maxFrameLength))
            {
                continue;
            }

            long next = (long)i + Http2FrameHeader.Size + header.Length;
            if (next + Http2FrameHeader.Size <= bytes.Length)
            {
                var following = Http2FrameHeader.Read(bytes.Slice((int)next, Http2FrameHeader.Size));
                if (!following.IsPlausible(maxFrameLength))
                {
                    continue;
                }
            }

            return i;
        }

        return -1;
    }
}
