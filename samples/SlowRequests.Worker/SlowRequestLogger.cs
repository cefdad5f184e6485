using Ebpf.ProtocolTracing;
using Microsoft.Extensions.Options;

namespace Samples.SlowRequests.Worker;

/// <summary>Reads the tracer's records and logs the exchanges slower than the configured threshold.</summary>
internal sealed partial class SlowRequestLogger(IProtocolTracer tracer, IOptionsMonitor<SlowRequestOptions> options, ILogger<SlowRequestLogger> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var record in tracer.ReadRecordsAsync(stoppingToken).ConfigureAwait(false))
            {
                // Read per record so a changed appsettings.json applies without a restart.
                var threshold = TimeSpan.FromMilliseconds(options.CurrentValue.ThresholdMilliseconds);
                if (record.Latency is { } latency && latency > threshold)
                    LogSlow(logger, record.Protocol, record.Operation, record.Resource ?? "-", record.Outcome ?? "-", latency.TotalMilliseconds, record.Pid, record.ProcessName);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slow {Protocol} {Operation} {Resource} → {Outcome} took {LatencyMs:0.0} ms (pid {Pid} {Process})")]
    private static partial void LogSlow(ILogger logger, string protocol, string operation, string resource, string outcome, double latencyMs, int pid, string process);
}
