using System.Buffers;

namespace Ebpf.ProtocolTracing.Nats;

/// <summary>
/// Finds where the next control line starts after lost bytes: at the start of the data or right after a
/// line end, a line the parser accepts whole (or, when its end has not come yet, an operation name
/// followed by a separator).
/// </summary>
internal static class NatsFrameFinder
{
    /// <summary>How far a candidate line is read before giving up on it.</summary>
    private const int MaxCandidateLine = 4096;

    public static bool TryFind(ReadOnlySequence<byte> data, NatsParserOptions options, out long offset)
    {
        var reader = new SequenceReader<byte>(data);
        byte[] scratch = ArrayPool<byte>.Shared.Rent(MaxCandidateLine);
        try
        {
            long start = 0;
            while (true)
            {
                var verdict = Check(data.Slice(start), options, scratch);
                if (verdict != Verdict.No)
                {
                    offset = start;
                    return verdict == Verdict.Yes;
                }

                reader.Advance(start - reader.Consumed);
                if (!reader.TryAdvanceTo((byte)'\n'))
                {
                    // No line start after this one yet: keep the tail, a line may begin in it.
                    offset = start;
                    return false;
                }

                start = reader.Consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private enum Verdict
    {
        No,
        Yes,
        NeedMore,
    }

    private static Verdict Check(ReadOnlySequence<byte> candidate, NatsParserOptions options, byte[] scratch)
    {
        int length = (int)Math.Min(candidate.Length, scratch.Length);
        if (length == 0)
        {
            return Verdict.NeedMore;
        }

        candidate.Slice(0, length).CopyTo(scratch);
        var span = scratch.AsSpan(0, length);
        if (NatsLineParser.Identify(span, out int nameLength) is null)
        {
            // A name still arriving may become one.
            return nameLength == length && length < 8 ? Verdict.NeedMore : Verdict.No;
        }

        int newline = span.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return length == scratch.Length ? Verdict.Yes : Verdict.NeedMore;
        }

        var line = span[..newline];
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return NatsLineParser.TryParse(line, options, out _) ? Verdict.Yes : Verdict.No;
    }
}
