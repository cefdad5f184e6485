using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Ebpf.ProtocolTracing.OpenTelemetry.Tests;

/// <summary>A tracer whose records the test writes, for hosting tests that need no kernel.</summary>
internal sealed class FakeProtocolTracer : IProtocolTracer
{
    private readonly Channel<ProtocolRecord> _records = Channel.CreateUnbounded<ProtocolRecord>();

    public Task Attached => Task.CompletedTask;

    public void Write(ProtocolRecord record) => _records.Writer.TryWrite(record);

    public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public async IAsyncEnumerable<ProtocolRecord> ReadRecordsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in _records.Reader.ReadAllAsync(cancellationToken))
        {
            yield return record;
        }
    }

    public async IAsyncEnumerable<ConnectionStats> ReadConnectionStatsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }

    public TracerStatistics GetStatistics() => new();

    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        _records.Writer.TryComplete();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
