namespace Ebpf.ProtocolTracing.Cli.Summary;

/// <summary>
/// Latencies counted in fixed logarithmic bins (three per doubling, from 1 µs to about 2^32 µs): constant
/// memory however many records arrive, percentiles within about 26 %.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int BinsPerDoubling = 3;
    public const int BinCount = 32 * BinsPerDoubling;

    private readonly int[] _bins = new int[BinCount];

    public long Count { get; private set; }

    public void Add(TimeSpan latency)
    {
        _bins[BinOf(latency)]++;
        Count++;
    }

    public void AddTo(LatencyHistogram total)
    {
        for (var i = 0; i < BinCount; i++)
            total._bins[i] += _bins[i];
        total.Count += Count;
    }

    public void Clear()
    {
        Array.Clear(_bins);
        Count = 0;
    }

    /// <summary>The latency below which <paramref name="fraction"/> of the counted ones lie (the bin's upper edge); null when empty.</summary>
    public TimeSpan? Percentile(double fraction)
    {
        if (Count == 0)
            return null;
        var rank = (long)Math.Ceiling(fraction * Count);
        long seen = 0;
        for (var i = 0; i < BinCount; i++)
        {
            seen += _bins[i];
            if (seen >= rank)
                return UpperEdge(i);
        }

        return UpperEdge(BinCount - 1);
    }

    private static int BinOf(TimeSpan latency)
    {
        var microseconds = latency.TotalMicroseconds;
        if (microseconds <= 1)
            return 0;
        var bin = (int)Math.Ceiling(Math.Log2(microseconds) * BinsPerDoubling);
        return Math.Clamp(bin, 0, BinCount - 1);
    }

    private static TimeSpan UpperEdge(int bin) => TimeSpan.FromMicroseconds(Math.Pow(2, (double)bin / BinsPerDoubling));
}
