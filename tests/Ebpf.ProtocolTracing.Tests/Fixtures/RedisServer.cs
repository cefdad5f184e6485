using System.Diagnostics;
using System.Globalization;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A private redis-server (the distribution's binary) on a free loopback port, with its own directory
/// and no persistence; optionally with a password. Killed and its directory removed on dispose.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port, string? password)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    /// <summary>The <c>requirepass</c> the server was started with, or <see langword="null"/>.</summary>
    public string? Password { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string ConfigurationString =>
        string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},abortConnect=false,connectTimeout=10000,syncTimeout=10000") +
        (Password is null ? string.Empty : $",password={Password}");

    public static async Task<RedisServer> StartAsync(string? password = null)
    {
        var directory = Directory.CreateTempSubdirectory("redis-test-").FullName;
        var port = FreeTcpPort.Find();
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", directory, "--logfile", Path.Combine(directory, "redis.log"),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(password);
        }

        var process = ServerProcess.Start(start, directory, "redis-server redis-tools");

        var server = new RedisServer(process, directory, port, password);
        try
        {
            if (!await FreeTcpPort.WaitUntilListeningAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), () => !process.HasExited, TestTimeouts.Process))
            {
                throw new InvalidOperationException($"redis-server did not listen on 127.0.0.1:{port} within {TestTimeouts.Process.TotalSeconds} s. log:\n{server.ReadLog()}");
            }

            var ping = await server.CliAsync("PING");
            if (ping.StandardOutput.Trim() != "PONG")
            {
                throw new InvalidOperationException($"redis-server did not answer PING: {ping.StandardOutput} {ping.StandardError}\nlog:\n{server.ReadLog()}");
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Runs <c>redis-cli</c> against this server (authenticated when it has a password).</summary>
    public Task<ProcessRun> CliAsync(params string[] command) =>
        ProcessRun.RunAsync("redis-cli", [.. CliArguments(), .. command], TestTimeouts.Process);

    /// <summary>The connection (and authentication) arguments of <c>redis-cli</c> for this server.</summary>
    public string[] CliArguments() => Password is null
        ? ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture)]
        : ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-a", Password, "--no-auth-warning"];

    public ValueTask DisposeAsync() => ServerProcess.StopAsync(_process, _directory);

    private string ReadLog()
    {
        var path = Path.Combine(_directory, "redis.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(none)";
    }
}
