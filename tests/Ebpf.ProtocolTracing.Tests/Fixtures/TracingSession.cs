using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A started tracer and a background reader that collects its records, so a test can generate traffic
/// and then wait, with a bound, for the records it expects.
/// </summary>
internal sealed class TracingSession : IAsyncDisposable
{
    private readonly ProtocolTracer _tracer;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ProtocolRecord> _records = [];
    private readonly Task _reader;
    private Exception? _readerFailure;

    private TracingSession(ProtocolTracer tracer)
    {
        _tracer = tracer;
        _reader = Task.Run(ReadAsync);
    }

    public IProtocolTracer Tracer => _tracer;

    /// <summary>Starts a tracer and returns once its probes are attached.</summary>
    public static async Task<TracingSession> StartAsync(ProtocolTracingOptions options, IEnumerable<IProtocolParser>? parsers = null)
    {
        var tracer = new ProtocolTracer(options, parsers);
        try
        {
            using var timer = new CancellationTokenSource(TestTimeouts.Attach);
            await tracer.StartAsync(timer.Token);
            await tracer.Attached.WaitAsync(timer.Token);
        }
        catch
        {
            await tracer.DisposeAsync();
            throw;
        }

        return new TracingSession(tracer);
    }

    /// <summary>Every record read so far.</summary>
    public IReadOnlyList<ProtocolRecord> Snapshot()
    {
        lock (_records)
        {
            return [.. _records];
        }
    }

    /// <summary>
    /// Waits until at least <paramref name="count"/> records of type <typeparamref name="T"/> match, and
    /// returns the matching ones in the order they were read. Fails the test when the time is up.
    /// </summary>
    public async Task<IReadOnlyList<T>> WaitForAsync<T>(Func<T, bool> match, int count = 1, string? what = null)
        where T : ProtocolRecord
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Records;
        while (true)
        {
            if (_readerFailure is { } failure)
            {
                throw new InvalidOperationException("reading the tracer's records failed", failure);
            }

            var matching = Snapshot().OfType<T>().Where(match).ToList();
            if (matching.Count >= count)
            {
                return matching;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(
                    $"waited {TestTimeouts.Records.TotalSeconds} s for {count} {typeof(T).Name} record(s){(what is null ? "" : $" ({what})")}, got {matching.Count}.\n" +
                    $"all records: {string.Join("\n  ", Snapshot())}\nstatistics: {_tracer.GetStatistics()}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        using (var timer = new CancellationTokenSource(TestTimeouts.Process))
        {
            await _tracer.StopAsync(timer.Token);
        }

        await _tracer.DisposeAsync();
        await _reader.WaitAsync(TestTimeouts.Process).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var record in _tracer.ReadRecordsAsync(_stop.Token))
            {
                lock (_records)
                {
                    _records.Add(record);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _readerFailure = e;
        }
    }
}
