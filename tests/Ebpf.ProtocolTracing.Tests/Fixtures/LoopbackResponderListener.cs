using System.Net;
using System.Net.Sockets;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// The listening half of an in-process protocol responder: accepts TCP connections on a free loopback
/// port and serves each on a task of its own until disposed, when it stops accepting, cancels the
/// connections and waits for them (at most <see cref="TestTimeouts.Process"/>).
/// </summary>
internal sealed class LoopbackResponderListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<TcpClient, CancellationToken, Task> _serve;
    private readonly Task _accepting;
    private readonly List<Task> _connections = [];

    /// <summary>Starts listening; <paramref name="serve"/> answers one connection until the token says stop.</summary>
    public LoopbackResponderListener(Func<TcpClient, CancellationToken, Task> serve)
    {
        _serve = serve;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).WaitAsync(TestTimeouts.Process).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var stopping = _stop.Token;
            lock (_connections)
            {
                _connections.Add(Task.Run(() => _serve(client, stopping)));
            }
        }
    }
}
