namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>Runs the curl command line client (a separate process, so the tracer sees it as a client).</summary>
internal static class Curl
{
    /// <summary>Runs curl over HTTP/1.1 with <paramref name="arguments"/> and asserts it succeeded.</summary>
    public static async Task<ProcessRun> RunAsync(params string[] arguments)
    {
        string[] common = ["--silent", "--show-error", "--fail", "--http1.1", "--noproxy", "*", "--max-time", "10"];
        var run = await ProcessRun.RunAsync("curl", [.. common, .. arguments], TestTimeouts.Process);
        Assert.True(run.ExitCode == 0, $"curl {string.Join(' ', arguments)} exited with {run.ExitCode}: {run.StandardError}");
        return run;
    }
}
