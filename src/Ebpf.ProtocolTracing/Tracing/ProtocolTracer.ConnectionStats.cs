using System.Runtime.CompilerServices;

namespace Ebpf.ProtocolTracing;

/// <content>The connection-statistics stream (<see cref="IProtocolTracer.ReadConnectionStatsAsync"/>).</content>
public sealed partial class ProtocolTracer
{
    /// <inheritdoc />
    public async IAsyncEnumerable<ConnectionStats> ReadConnectionStatsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_state != TracerState.Stopped)
            await StartAsync(cancellationToken).ConfigureAwait(false);

        var collector = _connectionStats;
        if (collector is null)
            yield break;

        collector.Subscribe();
        var reader = collector.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var stats))
                yield return stats;
        }
    }
}
