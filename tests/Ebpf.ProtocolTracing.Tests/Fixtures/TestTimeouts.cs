namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>Upper bounds for every wait in the integration tests: a failure is an assertion, never a hang.</summary>
internal static class TestTimeouts
{
    /// <summary>Loading, verifying and attaching the BPF programs (slow on a small, busy machine).</summary>
    public static readonly TimeSpan Attach = TimeSpan.FromSeconds(60);

    /// <summary>From the traffic to its records.</summary>
    public static readonly TimeSpan Records = TimeSpan.FromSeconds(30);

    /// <summary>A server process to listen, or a client process to finish.</summary>
    public static readonly TimeSpan Process = TimeSpan.FromSeconds(30);
}
