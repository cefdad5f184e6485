using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A private MariaDB server (the distribution's <c>mariadbd</c>) with its own data directory in a
/// temporary folder, on a free loopback port. It has a user <see cref="User"/> with password
/// <see cref="Password"/> and a database <see cref="Database"/> with a table <c>items(id, name)</c>.
/// Stopped with SIGTERM (a clean shutdown) and its directory removed on dispose; it never touches the
/// distribution's own service or its data.
/// </summary>
internal sealed class MariaDbServer : IAsyncDisposable
{
    public const string User = "tracer";
    public const string Password = "Pw-7c1d-secret";
    public const string Database = "shop";

    private readonly Process _process;
    private readonly string _directory;

    private MariaDbServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The pid of <c>mariadbd</c>.</summary>
    public int Pid => _process.Id;

    /// <summary>A MySqlConnector connection string for <see cref="User"/> on <see cref="Database"/>, without TLS or pooling.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"Server=127.0.0.1;Port={Port};User ID={User};Password={Password};Database={Database};SslMode=None;Pooling=false;AllowPublicKeyRetrieval=true");

    private string Socket => Path.Combine(_directory, "mysqld.sock");

    public static async Task<MariaDbServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("mariadb-test-").FullName;
        var data = Path.Combine(directory, "data");
        var port = FreeTcpPort.Find();
        ProcessRun install;
        try
        {
            install = await ProcessRun.RunAsync("mariadb-install-db",
                ["--no-defaults", $"--datadir={data}", "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"], TestTimeouts.Process);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException("MariaDB is not installed: run scripts/install-prerequisites.sh (apt-get install mariadb-server mariadb-client)", e);
        }

        if (install.ExitCode != 0)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"mariadb-install-db failed ({install.ExitCode}):\n{install.StandardOutput}\n{install.StandardError}");
        }

        var start = new ProcessStartInfo("mariadbd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--no-defaults", "--user=root", $"--datadir={data}", $"--socket={Path.Combine(directory, "mysqld.sock")}",
            $"--pid-file={Path.Combine(directory, "mysqld.pid")}", $"--log-error={Path.Combine(directory, "error.log")}",
            $"--port={port.ToString(CultureInfo.InvariantCulture)}", "--bind-address=127.0.0.1", "--skip-name-resolve",
            "--innodb-buffer-pool-size=16M", "--skip-ssl",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("mariadbd did not start");
        var server = new MariaDbServer(process, directory, port);
        try
        {
            if (!await FreeTcpPort.WaitUntilListeningAsync(new IPEndPoint(IPAddress.Loopback, port), () => !process.HasExited, TestTimeouts.Process))
            {
                throw new InvalidOperationException($"mariadbd did not listen on 127.0.0.1:{port} within {TestTimeouts.Process.TotalSeconds} s. error.log:\n{server.ReadErrorLog()}");
            }

            await server.RunAsRootAsync(
                $"CREATE USER '{User}'@'%' IDENTIFIED BY '{Password}'; GRANT ALL ON *.* TO '{User}'@'%'; CREATE DATABASE {Database}; " +
                $"CREATE TABLE {Database}.items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100), price DOUBLE, added DATETIME); " +
                $"INSERT INTO {Database}.items (name, price) VALUES ('apple', 1.5), ('pear', 2.25), ('plum', 0.5);");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Runs SQL as root over the Unix socket (not traced: the tracer sees TCP only).</summary>
    public async Task RunAsRootAsync(string sql)
    {
        var run = await ProcessRun.RunAsync("mariadb", ["--no-defaults", "-uroot", $"--socket={Socket}", "-e", sql], TestTimeouts.Process);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"mariadb -e failed ({run.ExitCode}): {run.StandardError}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM: mariadbd shuts down cleanly; kill it only when it does not.
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }

                using var timer = new CancellationTokenSource(TestTimeouts.Process);
                try
                {
                    await _process.WaitForExitAsync(timer.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string ReadErrorLog()
    {
        var path = Path.Combine(_directory, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(none)";
    }
}
