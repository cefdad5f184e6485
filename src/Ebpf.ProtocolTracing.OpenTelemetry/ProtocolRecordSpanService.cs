using Microsoft.Extensions.Hosting;

namespace Ebpf.ProtocolTracing.OpenTelemetry;

/// <summary>Reads the tracer's records for the life of the host and makes each one a span.</summary>
/// <remarks>
/// It is a reader of <see cref="IProtocolTracer.ReadRecordsAsync"/>: a host that reads the records as
/// well splits them with this service; such a host should call <see cref="ProtocolRecordSpanEmitter.Emit"/>
/// itself instead of adding this service.
/// </remarks>
internal sealed class ProtocolRecordSpanService(IProtocolTracer tracer, ProtocolRecordSpanEmitter emitter) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var record in tracer.ReadRecordsAsync(stoppingToken).ConfigureAwait(false))
            {
                emitter.Emit(record);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
