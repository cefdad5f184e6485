using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Tests.Metrics;

public sealed class ConnectionStatsOptionsTests
{
    [Fact]
    public void The_default_interval_is_ten_seconds_and_valid()
    {
        var options = new ProtocolTracingOptions();

        Assert.Equal(TimeSpan.FromSeconds(10), options.ConnectionStatsInterval);
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(99)]
    [InlineData(3_600_001)]
    public void Intervals_outside_100_ms_to_one_hour_fail_with_the_option_name(int milliseconds)
    {
        var options = new ProtocolTracingOptions { ConnectionStatsInterval = TimeSpan.FromMilliseconds(milliseconds) };

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains("ProtocolTracingOptions.ConnectionStatsInterval", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(3_600_000)]
    public void The_bounds_themselves_are_allowed(int milliseconds)
    {
        var options = new ProtocolTracingOptions { ConnectionStatsInterval = TimeSpan.FromMilliseconds(milliseconds) };

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void The_buffer_capacity_must_be_positive()
    {
        var options = new ProtocolTracingOptions { ConnectionStatsBufferCapacity = 0 };

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains("ProtocolTracingOptions.ConnectionStatsBufferCapacity", result.FailureMessage, StringComparison.Ordinal);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(ProtocolTracingOptions options)
        => new ProtocolTracingOptionsValidator([new HttpParser()]).Validate(null, options);
}
