using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ebpf.ProtocolTracing.Tests.Fixtures;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// An HTTP/1.1 server in this process on a free loopback port. A request whose target starts with
/// <c>/stall</c> is read and never answered: the server waits until the client goes away, then closes.
/// Any other request gets <c>200 ok</c> and the connection is closed after it.
/// </summary>
internal sealed class StallingHttpServer : IAsyncDisposable
{
    public const string OkBody = "ok";

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _received = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _closed = new();

    private StallingHttpServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url(string pathAndQuery) => $"http://127.0.0.1:{Port}{pathAndQuery}";

    public static StallingHttpServer Start() => new();

    /// <summary>Completes when the whole head of a request for <paramref name="target"/> has arrived.</summary>
    public Task Received(string target) => Signal(_received, target).Task;

    /// <summary>Completes when the server has closed its end of the connection that asked for <paramref name="target"/>.</summary>
    public Task Closed(string target) => Signal(_closed, target).Task;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.WaitAsync(TestTimeouts.Process).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> signals, string target) =>
        signals.GetOrAdd(target, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        string target = "";
        try
        {
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                int read = await socket.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            target = head.ToString().Split(' ', 3)[1];
            Signal(_received, target).TrySetResult();
            if (target.StartsWith("/stall", StringComparison.Ordinal))
            {
                // Never answer; the read ends when the client's socket goes away (EOF or reset).
                while (await socket.ReceiveAsync(buffer, _stop.Token) > 0)
                {
                }

                return;
            }

            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {OkBody.Length}\r\nConnection: close\r\n\r\n{OkBody}"), _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
            Signal(_closed, target).TrySetResult();
        }
    }
}
