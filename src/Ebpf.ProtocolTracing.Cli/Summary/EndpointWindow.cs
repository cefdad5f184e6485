namespace Ebpf.ProtocolTracing.Cli.Summary;

/// <summary>One endpoint's counts in a ring of one-second buckets: the rolling window.</summary>
internal sealed class EndpointWindow(int seconds)
{
    private readonly long[] _second = new long[seconds];
    private readonly int[] _requests = new int[seconds];
    private readonly int[] _errors = new int[seconds];
    private readonly LatencyHistogram[] _latencies = CreateHistograms(seconds);

    public long LastSecond { get; private set; }

    public void Add(long second, bool isError, TimeSpan? latency)
    {
        var slot = Slot(second);
        if (_second[slot] != second)
        {
            // The bucket held an older second that has left the window.
            _second[slot] = second;
            _requests[slot] = 0;
            _errors[slot] = 0;
            _latencies[slot].Clear();
        }

        _requests[slot]++;
        if (isError)
            _errors[slot]++;
        if (latency is { } value && value >= TimeSpan.Zero)
            _latencies[slot].Add(value);
        LastSecond = Math.Max(LastSecond, second);
    }

    /// <summary>Totals of the buckets within the window ending at <paramref name="nowSecond"/>.</summary>
    public (long Requests, long Errors) Totals(long nowSecond, LatencyHistogram latencies)
    {
        long requests = 0, errors = 0;
        for (var slot = 0; slot < _second.Length; slot++)
        {
            if (_requests[slot] == 0 || _second[slot] <= nowSecond - _second.Length || _second[slot] > nowSecond)
                continue;
            requests += _requests[slot];
            errors += _errors[slot];
            _latencies[slot].AddTo(latencies);
        }

        return (requests, errors);
    }

    private int Slot(long second) => (int)(((second % _second.Length) + _second.Length) % _second.Length);

    private static LatencyHistogram[] CreateHistograms(int count)
    {
        var histograms = new LatencyHistogram[count];
        for (var i = 0; i < count; i++)
            histograms[i] = new LatencyHistogram();
        return histograms;
    }
}
