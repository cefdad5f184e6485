using System.Diagnostics;

namespace Ebpf.ProtocolTracing.Tests.Tracing;

/// <summary>Runs curl as a separate client process, bounded in time.</summary>
internal static class CurlClient
{
    /// <summary>Requests <paramref name="url"/> over HTTP/1.1 and returns curl's pid and the body; fails the test when curl fails.</summary>
    public static async Task<(int Pid, string Body)> GetAsync(string url, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("curl")
        {
            ArgumentList = { "--silent", "--show-error", "--fail", "--http1.1", "--noproxy", "*", "--max-time", "10", url },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start curl");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timer = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(timer.Token);
        Assert.True(process.ExitCode == 0, $"curl {url} exited with {process.ExitCode}: {await stderr}");
        return (process.Id, await stdout);
    }
}
