using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A private memcached (the distribution's binary) on a free loopback TCP port, UDP off. It keeps
/// nothing on disk; killed on dispose.
/// </summary>
internal sealed class MemcachedServer : IAsyncDisposable
{
    /// <summary>
    /// A text-protocol client run as its own process: connects, sends its argument's lines, reads until
    /// the marker it is given, prints what it got.
    /// </summary>
    private const string TextClientScript = """
        import socket, sys
        port, marker, payload = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode('latin-1')
        s = socket.create_connection(('127.0.0.1', port), timeout=20)
        s.sendall(payload)
        got = b''
        while marker not in got:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        sys.stdout.write(got.decode('latin-1'))
        s.close()
        """;

    private readonly Process _process;

    private MemcachedServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public static async Task<MemcachedServer> StartAsync()
    {
        var port = FreeTcpPort.Find();
        var start = new ProcessStartInfo("memcached") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        string[] arguments = ["-l", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "0", "-m", "16", "-t", "1"];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (Environment.UserName == "root")
        {
            // memcached refuses to keep root; it drops to this user.
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("nobody");
        }

        var process = ServerProcess.Start(start, directory: null, "memcached");

        var server = new MemcachedServer(process, port);
        try
        {
            if (!await FreeTcpPort.WaitUntilListeningAsync(new IPEndPoint(IPAddress.Loopback, port), () => !process.HasExited, TestTimeouts.Process))
            {
                throw new InvalidOperationException($"memcached did not listen on 127.0.0.1:{port} within {TestTimeouts.Process.TotalSeconds} s: {(process.HasExited ? await process.StandardError.ReadToEndAsync() : "still running")}");
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
    /// Runs a python3 text-protocol client as a child process: sends <paramref name="lines"/> as they are
    /// and waits until the server's answer holds <paramref name="marker"/>.
    /// </summary>
    public Task<ProcessRun> TextClientAsync(string lines, string marker) =>
        ProcessRun.RunAsync("python3", ["-c", TextClientScript, Port.ToString(CultureInfo.InvariantCulture), marker, lines], TestTimeouts.Process);

    /// <summary>A connected socket of this process to the server.</summary>
    public async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
        return socket;
    }

    /// <summary>Sends <paramref name="request"/> and reads until the answer ends with <paramref name="end"/>.</summary>
    public static async Task<byte[]> ExchangeAsync(Socket socket, byte[] request, byte[] end)
    {
        await socket.SendAsync(request);
        var received = new List<byte>();
        var buffer = new byte[65536];
        using var timer = new CancellationTokenSource(TestTimeouts.Process);
        while (received.Count < end.Length || !received.TakeLast(end.Length).SequenceEqual(end))
        {
            int read = await socket.ReceiveAsync(buffer, timer.Token);
            if (read == 0)
            {
                throw new InvalidOperationException($"memcached closed the connection; got: {Encoding.Latin1.GetString(received.ToArray())}");
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        return [.. received];
    }

    public ValueTask DisposeAsync() => ServerProcess.StopAsync(_process);
}
