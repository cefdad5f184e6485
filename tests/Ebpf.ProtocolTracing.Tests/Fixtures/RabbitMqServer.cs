using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A private RabbitMQ node (the distribution's rabbitmq-server, no plugins) on a free loopback port, with
/// its own node name, distribution port, database, logs, config and Erlang cookie in a temp directory, and
/// a user of its own. epmd is shared with any other node on the machine. The whole process tree is killed
/// and the directory removed on dispose, whether or not the node came up.
/// </summary>
internal sealed class RabbitMqServer : IAsyncDisposable
{
    public const string User = "tracer-user";

    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>A node boots in about 8 s on an idle 2-core machine; give a busy one room.</summary>
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _directory;

    private RabbitMqServer(Process process, string directory, int port, string password)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Password = password;
    }

    /// <summary>The AMQP port (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The password of <see cref="User"/>; tests prove these bytes reach no record.</summary>
    public string Password { get; }

    /// <summary>An <c>amqp://</c> URI with the credentials, as the command-line clients take it.</summary>
    public string Uri => string.Create(CultureInfo.InvariantCulture, $"amqp://{User}:{Password}@127.0.0.1:{Port}");

    /// <summary>How long the node took from start to accepting AMQP connections.</summary>
    public TimeSpan StartupTime { get; private set; }

    public static async Task<RabbitMqServer> StartAsync()
    {
        if (!File.Exists(ServerScript))
        {
            throw new InvalidOperationException($"{ServerScript} is missing: run scripts/install-prerequisites.sh (apt-get install rabbitmq-server)");
        }

        var directory = Directory.CreateTempSubdirectory("rabbitmq-test-").FullName;
        int port = FreeTcpPort.Find();
        int distributionPort = FreeTcpPort.Find();
        string node = "tracer-" + Guid.NewGuid().ToString("N")[..10] + "@localhost";
        string password = "Amqp-Pass-" + Guid.NewGuid().ToString("N")[..12];

        // No disk or memory alarm on a small, busy machine: an alarm blocks publishers and would look like a tracing bug.
        await File.WriteAllTextAsync(Path.Combine(directory, "rabbitmq.conf"), string.Join('\n',
            "default_user = " + User,
            "default_pass = " + password,
            "disk_free_limit.absolute = 1",
            "vm_memory_high_watermark.relative = 0.95",
            "log.file.level = info",
            ""));
        await File.WriteAllTextAsync(Path.Combine(directory, "enabled_plugins"), "[].\n");

        var start = new ProcessStartInfo(ServerScript) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        var environment = start.Environment;
        environment["HOME"] = directory; // the Erlang cookie is created here
        environment["RABBITMQ_NODENAME"] = node;
        environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        environment["RABBITMQ_NODE_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        environment["RABBITMQ_DIST_PORT"] = distributionPort.ToString(CultureInfo.InvariantCulture);
        environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia");
        environment["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log");
        environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq");
        environment["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(directory, "advanced.config");
        environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins");
        environment["RABBITMQ_PLUGINS_EXPAND_DIR"] = Path.Combine(directory, "plugins-expand");
        environment["RABBITMQ_FEATURE_FLAGS_FILE"] = Path.Combine(directory, "feature_flags");
        environment["RABBITMQ_QUORUM_DIR"] = Path.Combine(directory, "quorum");
        environment["RABBITMQ_STREAM_DIR"] = Path.Combine(directory, "stream");
        environment["RABBITMQ_PID_FILE"] = Path.Combine(directory, "rabbitmq.pid");
        environment.Remove("RABBITMQ_ERLANG_COOKIE");

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmq-server did not start");
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }

        // Drain the console so the node never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var server = new RabbitMqServer(process, directory, port, password);
        var clock = Stopwatch.StartNew();
        try
        {
            if (!await FreeTcpPort.WaitUntilListeningAsync(new IPEndPoint(IPAddress.Loopback, port), () => !process.HasExited, BootTimeout))
            {
                throw new InvalidOperationException(
                    $"rabbitmq-server did not accept AMQP connections on 127.0.0.1:{port} within {BootTimeout.TotalSeconds} s " +
                    $"(exited: {process.HasExited}). log:\n{server.ReadLog()}");
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        server.StartupTime = clock.Elapsed;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // The node's data lives in the temp directory about to be removed: no graceful stop is needed,
            // and killing the tree (the script, beam.smp, erl_child_setup and its helpers) is immediate.
            await ServerProcess.StopAsync(_process);
        }
        finally
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A helper may still be closing a log file; the temp directory is cleaned by the system later.
            }
        }
    }

    private string ReadLog()
    {
        var logs = Path.Combine(_directory, "log");
        if (!Directory.Exists(logs))
        {
            return "(none)";
        }

        var text = string.Join("\n", Directory.GetFiles(logs, "*.log").Select(File.ReadAllText));
        return text.Length > 8000 ? text[^8000..] : text;
    }
}
