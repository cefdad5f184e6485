using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// Runs a tracer app — the <c>protocol-trace</c> CLI or the sample <c>samples/LineProtocol.Tracer</c> —
/// as a child process, as a user would, and collects the JSON lines it prints for each record.
/// </summary>
internal sealed class TracerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<JsonElement> _records = [];
    private readonly List<string> _diagnostics = [];
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TracerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        _process.ErrorDataReceived += (_, e) => OnDiagnostic(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts the sample tracer on <paramref name="port"/> for <paramref name="pid"/> and waits until it is attached.</summary>
    public static Task<TracerProcess> StartSampleAsync(int port, int pid) =>
        StartAsync(Path.Combine("samples", "LineProtocol.Tracer"), "LineProtocol.Tracer.dll", ["--port", Invariant(port), "--pid", Invariant(pid)]);

    /// <summary>Starts <c>protocol-trace</c> with <paramref name="arguments"/> and waits until it is attached.</summary>
    public static Task<TracerProcess> StartCliAsync(params string[] arguments) =>
        StartAsync(Path.Combine("src", "Ebpf.ProtocolTracing.Cli"), "protocol-trace.dll", arguments);

    private static async Task<TracerProcess> StartAsync(string project, string assembly, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(await FindBuiltAsync(project, assembly));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var tracer = new TracerProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
        var exited = tracer._process.WaitForExitAsync();
        var first = await Task.WhenAny(tracer._attached.Task, exited, Task.Delay(TestTimeouts.Attach));
        if (first != tracer._attached.Task)
        {
            var why = first == exited ? $"exited with {tracer._process.ExitCode}" : $"was not attached after {TestTimeouts.Attach.TotalSeconds} s";
            var output = tracer.Diagnostics();
            await tracer.DisposeAsync();
            Assert.Fail($"{assembly} {why}. stderr:\n{output}");
        }

        return tracer;
    }

    /// <summary>Waits until at least <paramref name="count"/> printed records match, and returns the matching ones in order.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForAsync(Func<JsonElement, bool> match, int count)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Records;
        while (true)
        {
            List<JsonElement> matching;
            lock (_records)
            {
                matching = _records.Where(match).ToList();
            }

            if (matching.Count >= count)
            {
                return matching;
            }

            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                string all;
                lock (_records)
                {
                    all = string.Join("\n  ", _records);
                }

                Assert.Fail($"waited for {count} matching records from the tracer process, got {matching.Count}.\nrecords:\n  {all}\nstderr:\n{Diagnostics()}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timer = new CancellationTokenSource(TestTimeouts.Process);
            await _process.WaitForExitAsync(timer.Token);
        }

        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            lock (_records)
            {
                _records.Add(document.RootElement.Clone());
            }
        }
        catch (JsonException)
        {
            // Not a record: keep it with the diagnostics, where a failure message shows it.
            OnDiagnostic("stdout: " + line);
        }
    }

    private void OnDiagnostic(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_diagnostics)
        {
            _diagnostics.Add(line);
        }

        if (line.Contains("attached", StringComparison.Ordinal))
        {
            _attached.TrySetResult();
        }
    }

    private string Diagnostics()
    {
        lock (_diagnostics)
        {
            return string.Join('\n', _diagnostics);
        }
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // The apps are built with the solution, in the test's configuration; build one when it is missing
    // or stale (the test project alone was built).
    private static async Task<string> FindBuiltAsync(string relativeProject, string assembly)
    {
        var configuration = typeof(TracerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Ebpf.ProtocolTracing.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"the repository root (with Ebpf.ProtocolTracing.sln) is not above {AppContext.BaseDirectory}");
        var project = Path.Combine(root.FullName, relativeProject);
        var dll = Path.Combine(project, "bin", configuration, "net10.0", assembly);
        // Also rebuild when the app carries an older tracer library than this test run (a stale build).
        var appLibrary = Path.Combine(Path.GetDirectoryName(dll)!, "Ebpf.ProtocolTracing.dll");
        var testLibrary = Path.Combine(AppContext.BaseDirectory, "Ebpf.ProtocolTracing.dll");
        if (!File.Exists(dll) || !File.Exists(appLibrary) || File.GetLastWriteTimeUtc(appLibrary) < File.GetLastWriteTimeUtc(testLibrary))
        {
            var build = await ProcessRun.RunAsync("dotnet", ["build", project, "-c", configuration, "-nologo", "-v", "q"], TimeSpan.FromMinutes(5));
            Assert.True(build.ExitCode == 0, $"building {project} failed:\n{build.StandardOutput}\n{build.StandardError}");
        }

        return dll;
    }
}
