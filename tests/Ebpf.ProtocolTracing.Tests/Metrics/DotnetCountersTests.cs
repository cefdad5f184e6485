using System.Diagnostics;
using System.Globalization;

namespace Ebpf.ProtocolTracing.Tests.Metrics;

/// <summary>The meter as an operator sees it: <c>dotnet-counters collect --counters Ebpf.ProtocolTracing</c> on this process.</summary>
public sealed class DotnetCountersTests
{
    [DotnetCountersFact]
    public async Task Dotnet_counters_shows_the_tracer_instruments()
    {
        using var tracer = new ProtocolTracer(new ProtocolTracingOptions());
        var output = Path.Combine(Path.GetTempPath(), $"counters-{Guid.NewGuid():N}.csv");
        try
        {
            var start = new ProcessStartInfo(DotnetCountersFactAttribute.ToolPath!)
            {
                ArgumentList =
                {
                    "collect", "-p", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                    "--counters", "Ebpf.ProtocolTracing", "--format", "csv", "-o", output, "--duration", "00:00:00:03",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            using var process = Process.Start(start)!;
            using var timer = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timer.Token);
            var csv = File.Exists(output) ? await File.ReadAllTextAsync(output) : "";

            Assert.True(process.ExitCode == 0, $"dotnet-counters exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
            Assert.Contains("ebpf.protocol_tracing.connections.tracked", csv, StringComparison.Ordinal);
            Assert.Contains("ebpf.protocol_tracing.events.read", csv, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(output);
        }
    }
}

/// <summary>Runs when the dotnet-counters tool is installed (on PATH, in ~/.dotnet/tools, or named by DOTNET_COUNTERS).</summary>
public sealed class DotnetCountersFactAttribute : FactAttribute
{
    public DotnetCountersFactAttribute()
    {
        if (ToolPath is null)
        {
            Skip = "dotnet-counters is not installed: dotnet tool install -g dotnet-counters (or set DOTNET_COUNTERS to its path)";
        }
    }

    public static string? ToolPath { get; } = Find();

    private static string? Find()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("DOTNET_COUNTERS") is { Length: > 0 } named)
        {
            candidates.Add(named);
        }

        candidates.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-counters"));
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(directory, "dotnet-counters"));
        }

        return candidates.FirstOrDefault(File.Exists);
    }
}
