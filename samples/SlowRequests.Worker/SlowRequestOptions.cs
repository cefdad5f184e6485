namespace Samples.SlowRequests.Worker;

/// <summary>The "SlowRequests" configuration section.</summary>
internal sealed class SlowRequestOptions
{
    public const string Section = "SlowRequests";

    /// <summary>Exchanges slower than this are logged. Default 200 ms.</summary>
    public int ThresholdMilliseconds { get; set; } = 200;
}
