using System.Diagnostics;

namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>
/// Turns kernel timestamps (<c>bpf_ktime_get_ns()</c>, CLOCK_MONOTONIC in ns) into wall-clock time.
/// </summary>
/// <remarks>
/// The offset between the monotonic and the realtime clock is measured once, so records keep a steady
/// time base even when the wall clock is stepped later. On Linux <see cref="Stopwatch.GetTimestamp"/>
/// reads CLOCK_MONOTONIC; its frequency is used to scale it to ns in case it is not 1 GHz.
/// </remarks>
internal sealed class KernelClock
{
    private const int CalibrationSamples = 5;

    // Wall-clock time of monotonic 0, in DateTime ticks (100 ns) since 0001-01-01 UTC.
    private readonly long _bootTicks;

    /// <summary>Measures the offset between the monotonic clock and the wall clock now.</summary>
    public KernelClock()
    {
        // Take the tightest of a few bracketed samples so a preemption between the reads does not skew it.
        var bestWindow = long.MaxValue;
        long bestBootTicks = 0;
        for (var i = 0; i < CalibrationSamples; i++)
        {
            var before = ReadMonotonicNs();
            var wallTicks = DateTime.UtcNow.Ticks;
            var after = ReadMonotonicNs();
            var window = (long)(after - before);
            if (window < bestWindow)
            {
                bestWindow = window;
                var middleNs = before + ((after - before) / 2);
                bestBootTicks = wallTicks - (long)(middleNs / 100);
            }
        }

        _bootTicks = bestBootTicks;
    }

    /// <summary>Uses a fixed wall-clock time for monotonic 0 (tests, replayed recordings).</summary>
    /// <param name="monotonicZero">The wall-clock time at which the monotonic clock read 0.</param>
    public KernelClock(DateTimeOffset monotonicZero) => _bootTicks = monotonicZero.UtcTicks;

    /// <summary>The wall-clock time at which the monotonic clock read 0.</summary>
    public DateTimeOffset MonotonicZero => new(_bootTicks, TimeSpan.Zero);

    /// <summary>The monotonic clock now, in ns (the same clock as kernel event timestamps).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static",
        Justification = "Instance member so callers hold one clock object they can replace in tests.")]
    public ulong NowMonotonicNs => ReadMonotonicNs();

    /// <summary>The wall-clock time of a kernel timestamp, in UTC.</summary>
    public DateTimeOffset ToDateTimeOffset(ulong monotonicNs) => new(_bootTicks + (long)(monotonicNs / 100), TimeSpan.Zero);

    private static ulong ReadMonotonicNs()
    {
        var timestamp = Stopwatch.GetTimestamp();
        return Stopwatch.Frequency == 1_000_000_000
            ? (ulong)timestamp
            : (ulong)(timestamp * (1_000_000_000.0 / Stopwatch.Frequency));
    }
}
