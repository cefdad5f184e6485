using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

public sealed class KernelPreflightTests
{
    [Theory]
    [InlineData("6.1.0-18-amd64", 6, 1)]
    [InlineData("5.4.0-150-generic\n", 5, 4)]
    [InlineData("5.15.133.1-microsoft-standard-WSL2", 5, 15)]
    [InlineData("4.18.0-513.el8.x86_64", 4, 18)]
    public void Kernel_release_gives_major_and_minor(string release, int major, int minor)
        => Assert.Equal(new Version(major, minor), KernelPreflight.ParseKernelRelease(release));

    [Theory]
    [InlineData("")]
    [InlineData("linux")]
    public void Unparsable_release_gives_no_version(string release)
        => Assert.Null(KernelPreflight.ParseKernelRelease(release));

    [Theory]
    [InlineData(5, 15)]
    [InlineData(6, 1)]
    public void A_kernel_older_than_6_2_is_refused_with_the_reason(int major, int minor)
    {
        var message = KernelPreflight.TooOldMessage(new Version(major, minor));

        Assert.NotNull(message);
        Assert.Contains($"({major}.{minor}) is older than 6.2", message, StringComparison.Ordinal);
        Assert.Contains("bpf_rdonly_cast", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(6, 2)]
    [InlineData(6, 18)]
    [InlineData(7, 0)]
    public void A_kernel_from_6_2_on_is_accepted(int major, int minor)
        => Assert.Null(KernelPreflight.TooOldMessage(new Version(major, minor)));

    [Fact]
    public void Settings_out_of_range_are_refused_before_touching_the_kernel()
    {
        var valid = new KernelProbeSettings(EventBufferKind.RingBuffer, 1 << 20, 16, 4096, 4, null, [], [], ulong.MaxValue, false);
        var logger = new CollectingLogger();

        Assert.Throws<ArgumentOutOfRangeException>(() => KernelProbes.Load(valid with { RingBufferBytes = 3 * 4096 }, logger));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelProbes.Load(valid with { ChunkLimit = KernelEventLayout.MaxChunk + 1 }, logger));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelProbes.Load(valid with { MaxChunks = 0 }, logger));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelProbes.Load(valid with { ForcedPorts = [70000] }, logger));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelProbes.Load(valid with { Buffer = EventBufferKind.PerfBuffer, PerfBufferPagesPerCpu = 3 }, logger));
    }
}
