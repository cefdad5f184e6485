namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>Scores how likely bytes are the start of memcached traffic.</summary>
internal static class MemcachedInference
{
    /// <summary>A whole command line, or a plausible binary request header.</summary>
    public const int Likely = 80;

    /// <summary>A whole response line, or a command whose line has not ended yet.</summary>
    public const int Plausible = 60;

    public static int Score(ReadOnlySpan<byte> data, MemcachedParserOptions options)
    {
        if (data.IsEmpty)
        {
            return 0;
        }

        var verdict = MemcachedFrameFinder.Check(data, options, complete: data.Length >= options.MaxLineBytes);
        if (MemcachedBinary.IsMagic(data[0]))
        {
            return verdict == MemcachedFrameFinder.Verdict.Yes ? Likely : 0;
        }

        if (!MemcachedTextLine.StartsWithKnownWord(data, out bool isCommand))
        {
            return 0;
        }

        return verdict switch
        {
            MemcachedFrameFinder.Verdict.Yes => isCommand ? Likely : Plausible,
            MemcachedFrameFinder.Verdict.NeedMore when isCommand => Plausible,
            _ => 0,
        };
    }
}
