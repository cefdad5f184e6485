using System.Buffers;

namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>
/// Finds where the next frame starts after lost bytes: a plausible binary header, or, at the start of the
/// data or right after a line end, a text line that parses whole.
/// </summary>
internal static class MemcachedFrameFinder
{
    private const int MaxCandidate = 4096;

    public static bool TryFind(ReadOnlySequence<byte> data, MemcachedParserOptions options, out long offset)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(MaxCandidate);
        try
        {
            long start = 0;
            bool lineStart = true;
            var reader = new SequenceReader<byte>(data);
            while (!reader.End)
            {
                start = reader.Consumed;
                byte b = reader.UnreadSpan[0];
                if (MemcachedBinary.IsMagic(b) || lineStart)
                {
                    var verdict = Check(data.Slice(start), options, scratch);
                    if (verdict == Verdict.Yes)
                    {
                        offset = start;
                        return true;
                    }

                    if (verdict == Verdict.NeedMore)
                    {
                        offset = start;
                        return false;
                    }
                }

                lineStart = b == (byte)'\n';
                reader.Advance(1);
            }

            offset = data.Length;
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Scores bytes as the start of memcached traffic (used for inference too).</summary>
    internal enum Verdict
    {
        No,
        Yes,
        NeedMore,
    }

    internal static Verdict Check(ReadOnlySequence<byte> candidate, MemcachedParserOptions options, byte[] scratch)
    {
        int length = (int)Math.Min(candidate.Length, scratch.Length);
        if (length == 0)
        {
            return Verdict.NeedMore;
        }

        candidate.Slice(0, length).CopyTo(scratch);
        return Check(scratch.AsSpan(0, length), options, complete: length == scratch.Length);
    }

    internal static Verdict Check(ReadOnlySpan<byte> span, MemcachedParserOptions options, bool complete)
    {
        if (MemcachedBinary.IsMagic(span[0]))
        {
            if (span.Length < MemcachedBinary.HeaderLength)
            {
                return span.Length < 2 || MemcachedBinary.OpcodeName(span[1]) is not null ? Verdict.NeedMore : Verdict.No;
            }

            return MemcachedBinary.IsPlausible(span, options) ? Verdict.Yes : Verdict.No;
        }

        int newline = span.IndexOf((byte)'\n');
        if (newline < 0)
        {
            if (complete)
            {
                return Verdict.No;
            }

            // A word still arriving may become one.
            int space = span.IndexOf((byte)' ');
            return space < 0 ? (span.Length < 13 ? Verdict.NeedMore : Verdict.No)
                : MemcachedTextLine.StartsWithKnownWord(span, out _) ? Verdict.NeedMore : Verdict.No;
        }

        var line = span[..newline];
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return MemcachedTextLine.StartsWithKnownWord(line, out _) && MemcachedTextLine.TryParse(line, options, out _) ? Verdict.Yes : Verdict.No;
    }
}
