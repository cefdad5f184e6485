using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A tiny in-process server speaking the line protocol of <c>samples/LineProtocol</c>:
/// <c>GET key\n</c> → <c>VALUE v\n</c>, <c>NOT_FOUND\n</c>, or <c>ERROR text\n</c> for the key <c>boom</c>.
/// </summary>
internal sealed class LineProtocolServer : IAsyncDisposable
{
    private static readonly Dictionary<string, string> Values = new(StringComparer.Ordinal) { ["alpha"] = "one", ["beta"] = "two" };

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LineProtocolServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>Opens one connection, sends each request line and returns the reply lines, in order.</summary>
    public async Task<IReadOnlyList<string>> QueryAsync(params string[] keys)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timer = new CancellationTokenSource(TestTimeouts.Process);
        var replies = new List<string>();
        foreach (var key in keys)
        {
            // One write per request and a wait for its reply: each line is one syscall each way.
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {key}\n"), timer.Token);
            replies.Add(await reader.ReadLineAsync(timer.Token) ?? throw new InvalidOperationException("the server closed the connection"));
        }

        return replies;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(TcpClient connection)
    {
        using (connection)
        {
            try
            {
                await ServeLinesAsync(connection);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // The server is stopping or the client went away.
            }
        }
    }

    private async Task ServeLinesAsync(TcpClient connection)
    {
        {
            using var stream = connection.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var key = line.StartsWith("GET ", StringComparison.Ordinal) ? line[4..] : null;
                var reply = key switch
                {
                    null => "ERROR expected GET key\n",
                    "boom" => "ERROR bad key\n",
                    _ when Values.TryGetValue(key, out var value) => $"VALUE {value}\n",
                    _ => "NOT_FOUND\n",
                };
                await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), _stop.Token);
            }
        }
    }
}
