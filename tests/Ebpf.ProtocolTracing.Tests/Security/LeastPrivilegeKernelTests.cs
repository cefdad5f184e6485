using System.Globalization;
using Ebpf.ProtocolTracing.Tests.Tracing;

namespace Ebpf.ProtocolTracing.Tests.Security;

/// <summary>Skips unless the kernel tests can run and this process can switch to nobody with chosen capabilities.</summary>
public sealed class LeastPrivilegeFactAttribute : FactAttribute
{
    public LeastPrivilegeFactAttribute() => Skip = CappedCli.SkipReason;
}

/// <summary>Skips like <see cref="LeastPrivilegeFactAttribute"/>, for theories.</summary>
public sealed class LeastPrivilegeTheoryAttribute : TheoryAttribute
{
    public LeastPrivilegeTheoryAttribute() => Skip = CappedCli.SkipReason;
}

/// <summary>
/// The CLI traces as an unprivileged user holding only CAP_BPF, CAP_PERFMON and CAP_DAC_READ_SEARCH
/// (tracefs is readable by root only), and without any one of them it stops at start with a message
/// that names the missing capability.
/// </summary>
[Collection("Kernel")]
public sealed class LeastPrivilegeKernelTests
{
    private const int CapDacReadSearch = 2;
    private const int CapPerfmon = 38;
    private const int CapBpf = 39;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [LeastPrivilegeFact]
    public async Task Nobody_WithBpfPerfmonAndDacReadSearch_TracesCurl()
    {
        using var server = await LoopbackHttpServer.StartAsync(Timeout);
        var port = server.Port.ToString(CultureInfo.InvariantCulture);
        using var cli = CappedCli.Start(["cap_bpf", "cap_perfmon", "cap_dac_read_search"], "--json", "--no-tls", "--port", port, "--duration", "60");

        var attached = await cli.WaitForAsync(c => c.StandardError.Contains("attached", StringComparison.Ordinal) || c.HasExited, Timeout);
        Assert.True(attached && !cli.HasExited, $"the CLI did not attach:\n{cli.StandardError}");
        Assert.Contains(CappedCli.NobodyUid.ToString(CultureInfo.InvariantCulture), cli.StandardError, StringComparison.Ordinal);
        Assert.Contains(CappedCli.CapEffLine(CapBpf, CapPerfmon, CapDacReadSearch), cli.StandardError, StringComparison.Ordinal);

        var local = $"\"local\":\"127.0.0.1:{port}\"";
        var traced = await cli.WaitForAsync(c => c.StandardOutput.Contains(local, StringComparison.Ordinal), TimeSpan.FromSeconds(1));
        for (int attempt = 0; attempt < 10 && !traced; attempt++)
        {
            // The first request can race the last probe's attach; later ones cannot be missed.
            await CurlClient.GetAsync($"http://127.0.0.1:{port}/hello.txt", Timeout);
            traced = await cli.WaitForAsync(c => c.StandardOutput.Contains(local, StringComparison.Ordinal), TimeSpan.FromSeconds(3));
        }

        Assert.True(traced, $"no record of the curl request to port {port}.\nstdout:\n{cli.StandardOutput}\nstderr:\n{cli.StandardError}");
        var line = cli.StandardOutput.Split('\n').First(l => l.Contains(local, StringComparison.Ordinal));
        Assert.Contains("\"resource\":\"/hello.txt\"", line, StringComparison.Ordinal);
        Assert.Contains($"\"pid\":{server.Pid.ToString(CultureInfo.InvariantCulture)}", line, StringComparison.Ordinal);
    }

    [LeastPrivilegeTheory]
    [InlineData("cap_bpf", "not CAP_BPF")]
    [InlineData("cap_perfmon", "not CAP_PERFMON")]
    [InlineData("cap_dac_read_search", "CAP_DAC_READ_SEARCH")]
    public async Task Nobody_MissingOneCapability_FailsNamingIt(string dropped, string expected)
    {
        string[] all = ["cap_bpf", "cap_perfmon", "cap_dac_read_search"];
        using var cli = CappedCli.Start([.. all.Where(c => c != dropped)], "--json", "--no-tls", "--duration", "5");

        Assert.True(await cli.WaitForExitAsync(Timeout), $"the CLI kept running without {dropped}:\n{cli.StandardError}");
        Assert.NotEqual(0, cli.ExitCode);
        Assert.DoesNotContain("attached", cli.StandardError, StringComparison.Ordinal);
        Assert.Contains(expected, cli.StandardError, StringComparison.Ordinal);
    }
}
