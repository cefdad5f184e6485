using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ebpf.ProtocolTracing.Tests.Tracing;

/// <summary>
/// <c>python3 -m http.server</c> on 127.0.0.1 and a free port, serving a temporary directory: a server
/// in its own process, so the tracer can filter on its pid.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly Process _process;
    private readonly string _root;

    private LoopbackHttpServer(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public string Root => _root;

    public static async Task<LoopbackHttpServer> StartAsync(TimeSpan timeout)
    {
        var root = Directory.CreateTempSubdirectory("protocol-tracer-test-").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "hello.txt"), "hello from the test server\n");
        var port = FindFreePort();
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { "-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", root },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start python3");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new LoopbackHttpServer(process, root, port);
        if (!await server.WaitUntilListeningAsync(timeout))
        {
            server.Dispose();
            throw new TimeoutException($"python3 -m http.server did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds} s");
        }

        return server;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<bool> WaitUntilListeningAsync(TimeSpan timeout)
    {
        // Probe with a connection from this process: with the tracer filtering on the server's pid, the
        // probe's accept is harmless (no bytes, no record).
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !_process.HasExited)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        return false;
    }
}
