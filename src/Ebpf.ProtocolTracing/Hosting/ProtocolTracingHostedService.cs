using Microsoft.Extensions.Hosting;

namespace Ebpf.ProtocolTracing.Hosting;

/// <summary>
/// Starts the tracer when the host starts and stops it when the host stops.
/// </summary>
/// <remarks>
/// A plain <see cref="IHostedService"/> rather than a BackgroundService on purpose: attaching happens
/// inside <see cref="StartAsync"/>, so a host without the privileges to trace fails to start with the
/// tracer's actionable message instead of running on without records.
/// </remarks>
internal sealed class ProtocolTracingHostedService(IProtocolTracer tracer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => tracer.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => tracer.StopAsync(cancellationToken);
}
