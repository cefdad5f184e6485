namespace Ebpf.ProtocolTracing;

/// <summary>
/// Traces the protocol exchanges of the processes on this host from the kernel and hands them out as
/// typed records.
/// </summary>
/// <example>
/// <code>
/// await foreach (var record in tracer.ReadRecordsAsync(stoppingToken))
///     if (record is HttpRecord http) Console.WriteLine($"{http.Method} {http.Target} → {http.StatusCode} in {http.Latency}");
/// </code>
/// </example>
public interface IProtocolTracer : IAsyncDisposable
{
    /// <summary>
    /// Loads the BPF programs and attaches the probes; completes once they are attached and events flow.
    /// Calling it again after success does nothing.
    /// </summary>
    /// <exception cref="ProtocolTracingException">The kernel, the privileges or the libraries on this host do not allow tracing; the message says what to do.</exception>
    Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>Completes when the probes are attached (after <see cref="StartAsync"/> succeeds).</summary>
    Task Attached { get; }

    /// <summary>
    /// The records, in the order they complete. Starts the tracer if it has not been started. Meant for
    /// one reader; a second concurrent reader shares (splits) the same records.
    /// </summary>
    IAsyncEnumerable<ProtocolRecord> ReadRecordsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// One <see cref="ConnectionStats"/> per tracked connection every
    /// <see cref="ProtocolTracingOptions.ConnectionStatsInterval"/>, plus a last one for each connection
    /// that closed in the interval. Starts the tracer if it has not been started. Statistics are kept
    /// only once someone reads; a reader that falls behind loses them (counted in
    /// <see cref="TracerStatistics.ConnectionStatsDropped"/>).
    /// </summary>
    IAsyncEnumerable<ConnectionStats> ReadConnectionStatsAsync(CancellationToken cancellationToken = default);

    /// <summary>A snapshot of what the tracer has seen, read and lost so far.</summary>
    TracerStatistics GetStatistics();

    /// <summary>Detaches the probes and completes <see cref="ReadRecordsAsync"/>.</summary>
    Task StopAsync(CancellationToken cancellationToken = default);
}
