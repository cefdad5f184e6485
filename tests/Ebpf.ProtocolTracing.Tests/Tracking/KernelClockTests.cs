using System.Diagnostics;
using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

public partial class KernelClockTests
{
    private const int ClockMonotonic = 1;

    [Fact]
    public void AFixedOffsetConvertsKernelTimestampsExactly()
    {
        var zero = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var clock = new KernelClock(zero);
        Assert.Equal(zero, clock.ToDateTimeOffset(0));
        Assert.Equal(zero.AddTicks(12_345_678), clock.ToDateTimeOffset(1_234_567_800));
        Assert.Equal(zero, clock.MonotonicZero);
    }

    [Fact]
    public void TheMonotonicClockIsTheKernelsClockMonotonic()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var clock = new KernelClock();
        Assert.Equal(0, ClockGetTime(ClockMonotonic, out var before));
        var ours = clock.NowMonotonicNs;
        Assert.Equal(0, ClockGetTime(ClockMonotonic, out var after));
        var beforeNs = (ulong)((before.Seconds * 1_000_000_000L) + before.Nanoseconds);
        var afterNs = (ulong)((after.Seconds * 1_000_000_000L) + after.Nanoseconds);
        Assert.InRange(ours, beforeNs, afterNs);
        Assert.Equal(1_000_000_000, Stopwatch.Frequency);
    }

    [Fact]
    public void MeasuredOffsetMapsNowToTheWallClock()
    {
        var clock = new KernelClock();
        var converted = clock.ToDateTimeOffset(clock.NowMonotonicNs);
        Assert.InRange(converted - DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(-50), TimeSpan.FromMilliseconds(50));
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
