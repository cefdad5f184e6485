using Ebpf.ProtocolTracing.Tls;

namespace Ebpf.ProtocolTracing.Tests.Tls;

/// <summary>Go build version strings as <c>.go.buildinfo</c> holds them.</summary>
public sealed class GoVersionTests
{
    [Theory]
    [InlineData("go1.19.8", 1, 19)]
    [InlineData("go1.17", 1, 17)]
    [InlineData("go1.21rc2", 1, 21)]
    [InlineData("devel go1.23-4f3a2b1 Tue Jan 2 2024", 1, 23)]
    public void Release_and_minor_are_read(string text, int major, int minor)
    {
        Assert.True(GoVersion.TryParse(text, out var version));
        Assert.Equal(new GoVersion(major, minor), version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("go")]
    [InlineData("gopher1")]
    [InlineData("go1.")]
    public void Text_without_a_version_is_refused(string text)
        => Assert.False(GoVersion.TryParse(text, out _));

    [Fact]
    public void Only_the_register_abi_releases_have_a_known_layout()
    {
        Assert.Null(GoStructLayout.Known(new GoVersion(1, 16)));
        Assert.NotNull(GoStructLayout.Known(new GoVersion(1, 17)));
        Assert.NotNull(GoStructLayout.Known(new GoVersion(1, 22)));
    }
}
