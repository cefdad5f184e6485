using Ebpf.ProtocolTracing.Parsing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ebpf.ProtocolTracing;

/// <summary>The eBPF protocol tracer.</summary>
public sealed class ProtocolTracer : IProtocolTracer, IDisposable
{
    private readonly ProtocolTracingOptions _options;
    private readonly IProtocolParser[] _parsers;
    private readonly ILoggerFactory? _loggerFactory;

    /// <summary>Creates a tracer without a host.</summary>
    /// <param name="options">The tracer's settings.</param>
    /// <param name="parsers">The parsers; default: the built-in ones.</param>
    /// <param name="loggerFactory">Where to log; default: nowhere.</param>
    public ProtocolTracer(ProtocolTracingOptions options, IEnumerable<IProtocolParser>? parsers = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _parsers = parsers?.ToArray() ?? [];
        _loggerFactory = loggerFactory;
    }

    /// <summary>Creates a tracer from dependency injection.</summary>
    /// <param name="options">The tracer's settings.</param>
    /// <param name="parsers">The registered parsers.</param>
    /// <param name="loggerFactory">Where to log.</param>
    public ProtocolTracer(IOptions<ProtocolTracingOptions> options, IEnumerable<IProtocolParser> parsers, ILoggerFactory? loggerFactory = null)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, parsers, loggerFactory)
    {
    }

    /// <inheritdoc />
    public Task Attached => throw new NotSupportedException("The tracer is not wired yet.");

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException("The tracer is not wired yet.");

    /// <inheritdoc />
    public IAsyncEnumerable<ProtocolRecord> ReadRecordsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException("The tracer is not wired yet.");

    /// <inheritdoc />
    public TracerStatistics GetStatistics() => new();

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
