using Ebpf.ProtocolTracing;

namespace Ebpf.ProtocolTracing.E2e;

/// <summary>Drains the tracer's two streams and counts what came out; nothing is kept.</summary>
internal sealed class ConsumedCounts
{
    private long records;
    private long connectionStats;

    public long Records => Interlocked.Read(ref records);

    public long ConnectionStats => Interlocked.Read(ref connectionStats);

    public async Task ConsumeRecordsAsync(ProtocolTracer tracer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var record in tracer.ReadRecordsAsync(cancellationToken).ConfigureAwait(false))
            {
                GC.KeepAlive(record);
                Interlocked.Increment(ref records);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // SIGTERM: the caller drains the rest after stopping the tracer.
        }
    }

    public async Task ConsumeConnectionStatsAsync(ProtocolTracer tracer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var stats in tracer.ReadConnectionStatsAsync(cancellationToken).ConfigureAwait(false))
            {
                GC.KeepAlive(stats);
                Interlocked.Increment(ref connectionStats);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // SIGTERM.
        }
    }
}
