using Ebpf.ProtocolTracing.Tests.Fixtures;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>Reads a tracer's connection statistics in the background and keeps them for the test to search.</summary>
internal sealed class ConnectionStatsRecorder : IAsyncDisposable
{
    private readonly List<ConnectionStats> _seen = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    public ConnectionStatsRecorder(IProtocolTracer tracer) => _reading = Task.Run(async () =>
    {
        try
        {
            await foreach (var stats in tracer.ReadConnectionStatsAsync(_stop.Token))
            {
                lock (_seen)
                {
                    _seen.Add(stats);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    });

    /// <summary>Waits, up to <paramref name="timeout"/>, for a report that matches; <see langword="null"/> when none came.</summary>
    public async Task<ConnectionStats?> WaitForAsync(Func<ConnectionStats, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_seen)
            {
                foreach (var stats in _seen)
                {
                    if (match(stats))
                    {
                        return stats;
                    }
                }
            }

            if (_reading.IsFaulted)
            {
                throw new InvalidOperationException("reading connection statistics failed", _reading.Exception);
            }

            await Task.Delay(20);
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading.WaitAsync(TestTimeouts.Process).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
