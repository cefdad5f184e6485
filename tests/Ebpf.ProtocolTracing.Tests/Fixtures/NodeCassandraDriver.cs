using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// The DataStax Node.js driver for Cassandra (npm package cassandra-driver), installed once with
/// <c>npm install --prefix</c> into a cache directory (<c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>, then
/// <c>ebpf-protocol-tracing/npm/cassandra-driver-4.10.0</c>) the first time a test needs it, and reused after.
/// Needs node 20+ and npm on the PATH and the npm registry reachable for that first install.
/// </summary>
internal static class NodeCassandraDriver
{
    public const string Version = "4.10.0";

    private static readonly SemaphoreSlim Installing = new(1, 1);

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(3);

    private static string Prefix => Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
        "ebpf-protocol-tracing", "npm", "cassandra-driver-" + Version);

    private static string PackageDirectory => Path.Combine(Prefix, "node_modules", "cassandra-driver");

    /// <summary>Installs the driver unless the cache already holds this version; returns the package directory for <c>require</c>.</summary>
    public static async Task<string> InstallAsync()
    {
        await Installing.WaitAsync();
        try
        {
            if (InstalledVersion() == Version)
            {
                return PackageDirectory;
            }

            Directory.CreateDirectory(Prefix);
            ProcessRun run;
            try
            {
                run = await ProcessRun.RunAsync("npm", ["install", "--prefix", Prefix, "--no-audit", "--no-fund", "--no-save", "cassandra-driver@" + Version], InstallTimeout);
            }
            catch (Win32Exception e)
            {
                throw new InvalidOperationException("npm was not found: install node 20+ and npm (e.g. apt-get install nodejs npm) to run the Cassandra driver tests", e);
            }

            Assert.True(run.ExitCode == 0, $"npm install cassandra-driver@{Version} into {Prefix} failed ({run.ExitCode}): {run.StandardError}");
            Assert.Equal(Version, InstalledVersion());
            return PackageDirectory;
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>Runs a node script (its arguments: the driver's package directory, then <paramref name="arguments"/>) to its end.</summary>
    public static async Task<ProcessRun> RunAsync(string script, params string[] arguments)
    {
        string driver = await InstallAsync();
        return await ProcessRun.RunAsync("node", ["-e", script, driver, .. arguments], TestTimeouts.Process);
    }

    /// <summary>
    /// Starts a node script that talks over stdin/stdout (its arguments: the driver's package directory, then
    /// <paramref name="arguments"/>); the caller reads its lines and ends it.
    /// </summary>
    public static async Task<Process> StartAsync(string script, params string[] arguments)
    {
        string driver = await InstallAsync();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-e", script, driver, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start node");
    }

    /// <summary>The script's next stdout line, failing the test when it ends or takes longer than the process timeout.</summary>
    public static async Task<string> ReadLineAsync(Process node)
    {
        using var timer = new CancellationTokenSource(TestTimeouts.Process);
        var line = await node.StandardOutput.ReadLineAsync(timer.Token);
        return line ?? throw new InvalidOperationException($"the node script ended early ({(node.HasExited ? node.ExitCode : -1)}): {await node.StandardError.ReadToEndAsync(timer.Token)}");
    }

    private static string? InstalledVersion()
    {
        var manifest = Path.Combine(PackageDirectory, "package.json");
        if (!File.Exists(manifest))
        {
            return null;
        }

        using var json = JsonDocument.Parse(File.ReadAllText(manifest));
        return json.RootElement.TryGetProperty("version", out var version) ? version.GetString() : null;
    }
}
