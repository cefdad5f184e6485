using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A private nats-server (the distribution's binary) on a free loopback port with a user and password,
/// logging to its own temp directory. Killed and its directory removed on dispose.
/// </summary>
internal sealed class NatsServer : IAsyncDisposable
{
    public const string User = "tracer-user";

    private readonly Process _process;
    private readonly string _directory;

    private NatsServer(Process process, string directory, int port, string password)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    /// <summary>The password of <see cref="User"/>; a test proves these bytes reach no record.</summary>
    public string Password { get; }

    public string Url => string.Create(CultureInfo.InvariantCulture, $"nats://127.0.0.1:{Port}");

    public static async Task<NatsServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("nats-test-").FullName;
        var port = FreeTcpPort.Find();
        var password = "Nats-Pass-" + Guid.NewGuid().ToString("N")[..12];
        var start = new ProcessStartInfo("nats-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        string[] arguments =
        [
            "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--user", User, "--pass", password,
            "-l", Path.Combine(directory, "nats.log"), "-P", Path.Combine(directory, "nats.pid"),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = ServerProcess.Start(start, directory, "nats-server");

        var server = new NatsServer(process, directory, port, password);
        try
        {
            if (!await FreeTcpPort.WaitUntilListeningAsync(new IPEndPoint(IPAddress.Loopback, port), () => !process.HasExited, TestTimeouts.Process))
            {
                throw new InvalidOperationException($"nats-server did not listen on 127.0.0.1:{port} within {TestTimeouts.Process.TotalSeconds} s. log:\n{server.ReadLog()}");
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>
    /// Runs <c>nc</c> to the server, writes <paramref name="input"/>, waits until its output holds
    /// <paramref name="waitFor"/>, then ends it.
    /// </summary>
    /// <returns>The pid of <c>nc</c> and what the server sent it.</returns>
    public async Task<(int Pid, string Output)> NetcatAsync(string input, string waitFor)
    {
        var start = new ProcessStartInfo("nc") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("127.0.0.1");
        start.ArgumentList.Add(Port.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("nc did not start; apt-get install netcat-openbsd");
        var output = new StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (output)
                {
                    output.Append(buffer, 0, read);
                    if (output.ToString().Contains(waitFor, StringComparison.Ordinal))
                    {
                        seen.TrySetResult();
                    }
                }
            }
        });
        try
        {
            await process.StandardInput.WriteAsync(input);
            await process.StandardInput.FlushAsync();
            await seen.Task.WaitAsync(TestTimeouts.Process);
            lock (output)
            {
                return (process.Id, output.ToString());
            }
        }
        catch (TimeoutException)
        {
            lock (output)
            {
                throw new TimeoutException($"nc did not see \"{waitFor}\" within {TestTimeouts.Process.TotalSeconds} s; it got: {output}");
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TestTimeouts.Process);
            await reader.WaitAsync(TestTimeouts.Process).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public ValueTask DisposeAsync() => ServerProcess.StopAsync(_process, _directory);

    private string ReadLog()
    {
        var path = Path.Combine(_directory, "nats.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(none)";
    }
}
