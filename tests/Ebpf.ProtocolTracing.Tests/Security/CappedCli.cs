using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Ebpf.ProtocolTracing.Tests.Security;

/// <summary>
/// Runs the protocol-trace CLI as user nobody with exactly the given capabilities (capsh from
/// libcap2-bin: ambient capabilities survive the uid change and the exec of dotnet).
/// </summary>
internal sealed class CappedCli : IDisposable
{
    public const int NobodyUid = 65534;

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private CappedCli(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Why these tests cannot run here, or null.</summary>
    public static string? SkipReason { get; } =
        Kernel.KernelTestEnvironment.SkipReason
        ?? (Environment.UserName != "root" ? "changing to another uid with chosen capabilities needs root" : null)
        ?? (File.Exists("/usr/sbin/capsh") || File.Exists("/sbin/capsh") ? null : "capsh is not installed (apt: libcap2-bin)");

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the CLI as nobody with <paramref name="capabilities"/> (e.g. cap_bpf) and the given arguments.</summary>
    public static CappedCli Start(IReadOnlyList<string> capabilities, params string[] arguments)
    {
        var dll = FindCli();
        var caps = string.Join(',', capabilities);
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/capsh") ? "/usr/sbin/capsh" : "/sbin/capsh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // capsh needs setuid/setgid/setpcap itself to switch user and raise the ambient set; the
        // program it runs keeps only the ambient capabilities.
        start.ArgumentList.Add($"--caps={caps},cap_setuid,cap_setgid,cap_setpcap+eip");
        start.ArgumentList.Add("--keep=1");
        start.ArgumentList.Add("--user=nobody");
        start.ArgumentList.Add($"--addamb={caps}");
        start.ArgumentList.Add("--");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("id -u >&2; grep CapEff /proc/self/status >&2; exec dotnet exec \"$0\" \"$@\"");
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        start.Environment["HOME"] = Path.GetTempPath();
        return new CappedCli(Process.Start(start) ?? throw new InvalidOperationException("capsh did not start"));
    }

    /// <summary>The capability mask the program must run with: exactly <paramref name="numbers"/>.</summary>
    public static string CapEffLine(params int[] numbers)
    {
        ulong mask = 0;
        foreach (var number in numbers)
        {
            mask |= 1UL << number;
        }

        return $"CapEff:\t{mask:x16}";
    }

    public async Task<bool> WaitForAsync(Func<CappedCli, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(this))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return condition(this);
    }

    /// <summary>Waits for the exit and for the last of its output (unlike polling <see cref="HasExited"/>).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.AppendLine(line);
        }
    }

    private static string FindCli()
    {
        var configuration = typeof(CappedCli).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Ebpf.ProtocolTracing.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"the repository root is not above {AppContext.BaseDirectory}");
        var project = Path.Combine(root.FullName, "src", "Ebpf.ProtocolTracing.Cli");
        var dll = Path.Combine(project, "bin", configuration, "net10.0", "protocol-trace.dll");
        var cliLibrary = Path.Combine(Path.GetDirectoryName(dll)!, "Ebpf.ProtocolTracing.dll");
        var testLibrary = Path.Combine(AppContext.BaseDirectory, "Ebpf.ProtocolTracing.dll");
        if (!File.Exists(dll) || !File.Exists(cliLibrary) || File.GetLastWriteTimeUtc(cliLibrary) < File.GetLastWriteTimeUtc(testLibrary))
        {
            // Only the test project was built (or the CLI is older than the library under test).
            using var build = Process.Start(new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "build", project, "-c", configuration, "-nologo", "-v", "q" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var output = build.StandardOutput.ReadToEndAsync();
            var errors = build.StandardError.ReadToEndAsync();
            Assert.True(build.WaitForExit(TimeSpan.FromMinutes(5)), "building the CLI took over 5 minutes");
            Assert.True(build.ExitCode == 0, $"building {project} failed:\n{output.Result}\n{errors.Result}");
        }

        return dll;
    }
}
