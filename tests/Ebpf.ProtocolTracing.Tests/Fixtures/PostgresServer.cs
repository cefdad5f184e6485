using System.Globalization;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A private PostgreSQL cluster (the distribution's binaries) initialised in a temporary directory and
/// run as the <c>postgres</c> user on a free loopback port, with its socket in that directory, so it
/// neither needs nor disturbs a cluster the package may have created. Trust authentication, except
/// for <see cref="PasswordUser"/>, who must authenticate with SCRAM-SHA-256.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string PasswordUser = "tracer_scram";
    public const string Password = "Sup3r-Secret-Passw0rd";

    private readonly string _root;
    private readonly string _bin;

    private PostgresServer(string root, string bin, int port)
    {
        _root = root;
        _bin = bin;
        Port = port;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    private string DataDirectory => Path.Combine(_root, "data");

    private string SocketDirectory => _root;

    /// <summary>A connection string for Npgsql as the trusted superuser.</summary>
    public string TrustedConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false;Timeout=15";

    /// <summary>A connection string for Npgsql as <see cref="PasswordUser"/>.</summary>
    public string PasswordConnectionString => $"Host=127.0.0.1;Port={Port};Username={PasswordUser};Password={Password};Database=postgres;Pooling=false;Timeout=15";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinaries();
        var root = Directory.CreateTempSubdirectory("postgres-test-").FullName;
        var server = new PostgresServer(root, bin, FreeTcpPort.Find());
        try
        {
            await ProcessRun.RunAsync("chown", ["postgres:postgres", root], TestTimeouts.Process);
            await server.AsPostgresAsync("initdb", "-D", server.DataDirectory, "-U", "postgres", "-E", "UTF8", "--no-sync", "--auth=trust");
            // Checked first: the password user must prove itself over TCP.
            var hba = Path.Combine(server.DataDirectory, "pg_hba.conf");
            var rules = await File.ReadAllTextAsync(hba);
            await File.WriteAllTextAsync(hba, $"host all {PasswordUser} 127.0.0.1/32 scram-sha-256\n" + rules);

            string settings = string.Create(CultureInfo.InvariantCulture,
                $"-p {server.Port} -h 127.0.0.1 -k {server.SocketDirectory} -c fsync=off -c max_connections=20 -c shared_buffers=16MB");
            await server.AsPostgresAsync("pg_ctl", "start", "-w", "-t", "30", "-D", server.DataDirectory, "-l", Path.Combine(root, "server.log"), "-o", settings);
            if (!await FreeTcpPort.WaitUntilListeningAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, server.Port), () => true, TestTimeouts.Process))
            {
                throw new InvalidOperationException($"postgres did not listen on 127.0.0.1:{server.Port}: {server.ReadLog()}");
            }

            await server.PsqlAsSuperuserAsync($"create role {PasswordUser} login password '{Password}'");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs psql over the Unix socket as the superuser (not over TCP, so tests' traffic stays theirs).</summary>
    public async Task PsqlAsSuperuserAsync(string sql)
    {
        var run = await ProcessRun.RunAsync("psql", ["-X", "-q", "-h", SocketDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql], TestTimeouts.Process);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql failed ({run.ExitCode}): {run.StandardError}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await AsPostgresAsync("pg_ctl", "stop", "-w", "-t", "30", "-m", "fast", "-D", DataDirectory);
            }
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string ReadLog()
    {
        var path = Path.Combine(_root, "server.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(no log)";
    }

    private async Task AsPostgresAsync(string program, params string[] arguments)
    {
        var run = await ProcessRun.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. arguments], TestTimeouts.Process);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({run.ExitCode}): {run.StandardError}\n{run.StandardOutput}\n{ReadLog()}");
        }
    }

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out int v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found under /usr/lib/postgresql/*/bin: run scripts/install-prerequisites.sh (apt-get install postgresql postgresql-client)");
    }
}
