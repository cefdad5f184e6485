using Ebpf.ProtocolTracing;

namespace Samples.EndpointSummary.Web;

/// <summary>Feeds every traced record into <see cref="EndpointStatistics"/>.</summary>
internal sealed class EndpointStatisticsCollector(IProtocolTracer tracer, EndpointStatistics statistics) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var record in tracer.ReadRecordsAsync(stoppingToken).ConfigureAwait(false))
                statistics.Add(record);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }
}
