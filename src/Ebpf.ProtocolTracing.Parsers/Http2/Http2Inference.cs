namespace Ebpf.ProtocolTracing.Http2;

/// <summary>Scores bytes for being HTTP/2: the client preface is certain; a chain of plausible frames is likely.</summary>
internal static class Http2Inference
{
    public static int Score(ReadOnlySpan<byte> data)
    {
        var preface = Http2Preface.Bytes;
        int compared = Math.Min(data.Length, preface.Length);
        if (compared >= 4 && data[..compared].SequenceEqual(preface[..compared]))
        {
            return compared == preface.Length ? 100 : 80;
        }

        if (data.Length < Http2FrameHeader.Size)
        {
            return 0;
        }

        var first = Http2FrameHeader.Read(data);
        if (!first.IsPlausible(Http2FrameHeader.ProtocolMaxLength))
        {
            return 0;
        }

        long next = Http2FrameHeader.Size + (long)first.Length;
        if (next == data.Length)
        {
            return 60;
        }

        if (next + Http2FrameHeader.Size <= data.Length && Http2FrameHeader.Read(data.Slice((int)next)).IsPlausible(Http2FrameHeader.ProtocolMaxLength))
        {
            return 70;
        }

        // One plausible header alone is a weak sign.
        return 30;
    }
}
