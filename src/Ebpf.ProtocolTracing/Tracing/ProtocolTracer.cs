using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Logging;
using Ebpf.ProtocolTracing.Metrics;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Recording;
using Ebpf.ProtocolTracing.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ebpf.ProtocolTracing;

/// <summary>
/// The eBPF protocol tracer: attaches the kernel probes, reads their events on one dedicated thread,
/// turns them into records with the registered parsers and hands the records out through
/// <see cref="ReadRecordsAsync"/>.
/// </summary>
/// <remarks>
/// Needs root (or CAP_BPF and CAP_PERFMON) and libbpf. Records are buffered up to
/// <see cref="ProtocolTracingOptions.RecordBufferCapacity"/>; a reader that falls further behind loses
/// records (counted in <see cref="TracerStatistics.RecordsDropped"/>) rather than slowing the kernel
/// event reader. <see cref="StopAsync"/>, <see cref="DisposeAsync"/> and <see cref="Dispose"/> may be
/// called any number of times from any thread; a stopped tracer cannot be started again.
/// </remarks>
/// <example>
/// <code>
/// var options = new ProtocolTracingOptions();
/// options.ProcessIds.Add(serverPid);
/// await using var tracer = new ProtocolTracer(options);
/// await foreach (var record in tracer.ReadRecordsAsync(cancellationToken))
///     if (record is HttpRecord http) Console.WriteLine($"{http.Method} {http.Target} → {http.StatusCode}");
/// </code>
/// </example>
public sealed partial class ProtocolTracer : IProtocolTracer, IDisposable
{
    private const int PollTimeoutMilliseconds = 100;
    private const int MaxIdlePendingCapacity = 4096;
    private static readonly TimeSpan LossReportInterval = TimeSpan.FromSeconds(10);

    private readonly ProtocolTracingOptions _options;
    private readonly IProtocolParser[] _parsers;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    // Serialises start and stop; the reader thread never takes it.
    private readonly SemaphoreSlim _lifecycle = new(1, 1);

    // Guards the kernel resources against GetStatistics while they are being released.
    private readonly Lock _resources = new();

    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _readerExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TracerState _state;
    private ExceptionDispatchInfo? _startFailure;
    private RecordBatchQueue? _records;
    private KernelProbes? _probes;
    private IEventReader? _reader;
    private ConnectionTracker? _tracker;
    private KernelClock? _clock;
    private Thread? _readerThread;
    private string? _recordingPath;
    private KernelEventRecorder? _recorder;
    private volatile bool _stopRequested;
    private ulong _recordsDropped;
    private TracerStatistics? _finalStatistics;

    // Records made during one poll of the kernel's buffer, handed to the readers as one batch after it
    // (see RecordBatchQueue).
    private readonly List<ProtocolRecord> _pendingRecords = [];
    private ConnectionStatsCollector? _connectionStats;
    private readonly TracerMetrics _metrics;

    /// <summary>Creates a tracer without a host.</summary>
    /// <param name="options">The tracer's settings; validated by <see cref="StartAsync"/>.</param>
    /// <param name="parsers">The protocol parsers; default: the built-in HTTP/1.x parser.</param>
    /// <param name="loggerFactory">Where to log; default: nowhere.</param>
    /// <param name="meterFactory">Creates the <c>Ebpf.ProtocolTracing</c> meter; default: the tracer creates the meter itself.</param>
    public ProtocolTracer(ProtocolTracingOptions options, IEnumerable<IProtocolParser>? parsers = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _parsers = parsers?.ToArray() ?? [.. BuiltInParsers.CreateAll()];
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<ProtocolTracer>();
        _metrics = new TracerMetrics(meterFactory, GetStatistics, RecordBufferUse);
    }

    /// <summary>Creates a tracer from dependency injection (see <c>AddProtocolTracing</c>).</summary>
    /// <param name="options">The tracer's settings.</param>
    /// <param name="parsers">The registered parsers.</param>
    /// <param name="loggerFactory">Where to log; default: nowhere.</param>
    /// <param name="meterFactory">Creates the <c>Ebpf.ProtocolTracing</c> meter; the host's, when it has one.</param>
    public ProtocolTracer(IOptions<ProtocolTracingOptions> options, IEnumerable<IProtocolParser> parsers, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, parsers ?? throw new ArgumentNullException(nameof(parsers)), loggerFactory, meterFactory)
    {
    }

    private enum TracerState
    {
        NotStarted,
        Running,
        Failed,
        Stopped,
    }

    /// <inheritdoc />
    public Task Attached => _attached.Task;

    /// <summary>How many kernel probes (tracepoints, uprobes) are attached: 0 before start and after stop.</summary>
    public int AttachedProbeCount
    {
        get
        {
            lock (_resources)
                return _probes?.AttachedProbeCount ?? 0;
        }
    }

    /// <summary>
    /// Saves every kernel event this tracer reads, byte for byte, to a recording at <paramref name="path"/>
    /// (created or replaced at start), for <see cref="ProtocolReplay.ReadRecordsAsync"/> to turn into the
    /// same records later, offline. Call before the tracer starts.
    /// </summary>
    /// <param name="path">The recording file.</param>
    /// <exception cref="InvalidOperationException">The tracer has started already.</exception>
    public void RecordTo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (_state != TracerState.NotStarted)
            throw new InvalidOperationException("RecordTo must be called before the tracer starts; create a new ProtocolTracer to record.");
        _recordingPath = path;
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            switch (_state)
            {
                case TracerState.Running:
                    return;
                case TracerState.Failed:
                    _startFailure!.Throw();
                    return;
                case TracerState.Stopped:
                    throw new ObjectDisposedException(nameof(ProtocolTracer), "This tracer was stopped; create a new ProtocolTracer to trace again.");
                default:
                    Start();
                    return;
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ProtocolRecord> ReadRecordsAsync(CancellationToken cancellationToken = default)
        // Once started, the record queue's own reader: no second iterator to step through per record.
        => _state is TracerState.Running or TracerState.Stopped && _records is { } records
            ? records.ReadAllAsync(cancellationToken)
            : StartThenReadRecordsAsync(cancellationToken);

    private async IAsyncEnumerable<ProtocolRecord> StartThenReadRecordsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_state != TracerState.Stopped)
            await StartAsync(cancellationToken).ConfigureAwait(false);

        var records = _records;
        if (records is null)
            yield break;

        await foreach (var record in records.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            yield return record;
    }

    /// <inheritdoc />
    public TracerStatistics GetStatistics()
    {
        lock (_resources)
        {
            if (_finalStatistics is not null)
                return _finalStatistics;
            if (_probes is null || _reader is null || _tracker is null)
                return new TracerStatistics { RecordsDropped = Volatile.Read(ref _recordsDropped) };
            return CollectStatistics(_probes, _reader, _tracker);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        // Stopping must not be skipped because a token fired: the probes have to come off.
        await _lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_state == TracerState.Running)
            {
                _stopRequested = true;
                await _readerExited.Task.ConfigureAwait(false);
            }

            Release();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Stops the tracer synchronously; same as <see cref="StopAsync"/>.</summary>
    public void Dispose()
    {
        _lifecycle.Wait();
        try
        {
            if (_state == TracerState.Running)
            {
                _stopRequested = true;
                _readerThread?.Join();
            }

            Release();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private void Start()
    {
        try
        {
            var validation = new ProtocolTracingOptionsValidator(_parsers).Validate(null, _options);
            if (validation.Failed)
                throw new ProtocolTracingException("Invalid protocol tracing options: " + validation.FailureMessage);

            var enabledParsers = SelectEnabledParsers();
            if (enabledParsers.Count == 0)
                throw new ProtocolTracingException("No protocol parser is registered, so there is nothing to trace; register one (AddProtocolTracing registers HTTP) or pass parsers to the ProtocolTracer constructor.");

            var registry = new ParserRegistry(enabledParsers, new Dictionary<int, string>(_options.ParserPorts));
            var settings = new KernelProbeSettings(
                Buffer: _options.EventBuffer,
                RingBufferBytes: _options.RingBufferBytes,
                PerfBufferPagesPerCpu: _options.PerfBufferPagesPerCpu,
                ChunkLimit: _options.CaptureBytesPerEvent,
                MaxChunks: _options.MaxEventsPerSyscall,
                ExcludedTgid: _options.TraceOwnProcess ? null : Environment.ProcessId,
                ProcessIds: [.. _options.ProcessIds],
                ForcedPorts: registry.ForcedPorts,
                EnabledProtocolsMask: registry.KernelProtocolMask,
                CaptureAll: NeedsEveryConnection(enabledParsers))
            {
                TraceTls = _options.TraceTls,
            };

            _records = new RecordBatchQueue(_options.RecordBufferCapacity);
            _connectionStats = new ConnectionStatsCollector(_options.ConnectionStatsInterval, _options.ConnectionStatsBufferCapacity, TimeProvider.System);

            AttachAndStartReader(registry, settings);

            _state = TracerState.Running;
            var protocols = string.Join(", ", enabledParsers.Select(p => p.Name));
            Log.Attached(_logger, _probes!.AttachedProbeCount, _options.EventBuffer, protocols);
            _attached.TrySetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failure = ex as ProtocolTracingException
                ?? new ProtocolTracingException($"Protocol tracing could not start: {ex.Message}", ex);
            Log.StartFailed(_logger, failure.Message, ex);
            _state = TracerState.Failed;
            _startFailure = ExceptionDispatchInfo.Capture(failure);
            _records?.Complete(failure);
            _connectionStats?.Complete(failure);
            _attached.TrySetException(failure);
            _ = _attached.Task.Exception; // observed: callers get the failure from StartAsync
            throw failure;
        }
    }

    private List<IProtocolParser> SelectEnabledParsers()
    {
        var enabled = new List<IProtocolParser>(_parsers.Length);
        foreach (var parser in _parsers)
        {
            // A parser named by ParserPorts is wanted even when Protocols lists others.
            if (_options.Protocols.Count == 0 || _options.Protocols.Contains(parser.Name) || _options.ParserPorts.Values.Contains(parser.Name, StringComparer.OrdinalIgnoreCase))
                enabled.Add(parser);
        }

        return enabled;
    }

    // A parser the kernel cannot guess and no port leads to would otherwise never see a byte, so the
    // kernel has to send every connection up for it to infer; that costs, hence only in that case.
    private bool NeedsEveryConnection(List<IProtocolParser> enabledParsers)
    {
        foreach (var parser in enabledParsers)
        {
            if (parser.KernelProtocol is WellKnownProtocol.None or WellKnownProtocol.Forced
                && !_options.ParserPorts.Values.Contains(parser.Name, StringComparer.OrdinalIgnoreCase))
                return true;
        }

        return false;
    }

    private void AttachAndStartReader(ParserRegistry registry, KernelProbeSettings settings)
    {
        var probes = KernelProbes.Load(settings, _loggerFactory.CreateLogger<KernelProbes>());
        IEventReader? reader = null;
        try
        {
            var clock = new KernelClock();
            var tracker = new ConnectionTracker(registry, _options, EmitRecord, clock, probes, _loggerFactory.CreateLogger<ConnectionTracker>());
            tracker.ConnectionFinished = _connectionStats!.OnConnectionFinished;
            _recorder = _recordingPath is null ? null : KernelEventRecorder.CreateFile(_recordingPath, clock, tracker);
            reader = probes.CreateReader(_recorder ?? (IKernelEventSink)tracker);

            lock (_resources)
            {
                _probes = probes;
                _reader = reader;
                _tracker = tracker;
                _clock = clock;
            }

            // A dedicated thread: Poll blocks, and the thread pool must not be starved by a tracer.
            _readerThread = new Thread(ReadEvents) { IsBackground = true, Name = "Protocol tracing event reader" };
            _readerThread.Start();
        }
        catch
        {
            lock (_resources)
            {
                _probes = null;
                _reader = null;
                _tracker = null;
            }

            reader?.Dispose();
            _recorder?.Dispose();
            probes.Dispose();
            throw;
        }
    }

    private void ReadEvents()
    {
        var reader = _reader!;
        var tracker = _tracker!;
        var clock = _clock!;
        var reportedLost = 0UL;
        var reportedParseFailures = 0UL;
        var reportedRecordsDropped = 0UL;
        var nextReport = Stopwatch.GetTimestamp() + (long)(LossReportInterval.TotalSeconds * Stopwatch.Frequency);
        try
        {
            while (!_stopRequested)
            {
                reader.Poll(PollTimeoutMilliseconds);
                tracker.Tick(clock.NowMonotonicNs);
                FlushRecords();
                _connectionStats!.Tick(tracker);

                if (Stopwatch.GetTimestamp() >= nextReport)
                {
                    nextReport = Stopwatch.GetTimestamp() + (long)(LossReportInterval.TotalSeconds * Stopwatch.Frequency);
                    ReportLosses(ref reportedLost, ref reportedParseFailures, ref reportedRecordsDropped);
                }
            }
        }
#pragma warning disable CA1031 // Any failure here must reach the reader of the records, not kill the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ReaderFailed(_logger, ex);
            FlushRecords();
            var failure = new ProtocolTracingException(
                $"Protocol tracing stopped after an error while reading kernel events: {ex.Message}. Dispose this tracer and start a new one.", ex);
            _records!.Complete(failure);
            _connectionStats!.Complete(failure);
        }
        finally
        {
            _readerExited.TrySetResult();
        }
    }

    private void ReportLosses(ref ulong reportedLost, ref ulong reportedParseFailures, ref ulong reportedRecordsDropped)
    {
        var statistics = GetStatistics();
        if (statistics.KernelEventsLost > reportedLost)
        {
            Log.EventsLost(_logger, statistics.KernelEventsLost - reportedLost, statistics.KernelEventsLost);
            reportedLost = statistics.KernelEventsLost;
        }

        if (statistics.ParseFailures > reportedParseFailures)
        {
            Log.ParseFailures(_logger, statistics.ParseFailures - reportedParseFailures, statistics.ParseFailures);
            reportedParseFailures = statistics.ParseFailures;
        }

        if (statistics.RecordsDropped > reportedRecordsDropped)
        {
            Log.RecordsDropped(_logger, statistics.RecordsDropped);
            reportedRecordsDropped = statistics.RecordsDropped;
        }
    }

    // Runs on the reader thread (and on the stopping thread during CompleteAll, after the reader exited).
    private void EmitRecord(ProtocolRecord record)
    {
        _metrics.Requests.Record(record);
        _pendingRecords.Add(record);
    }

    // On the thread that emitted them (see EmitRecord); what does not fit in the record buffer is dropped and counted.
    private void FlushRecords()
    {
        if (_pendingRecords.Count > 0)
        {
            var dropped = _records!.Publish(_pendingRecords);
            if (dropped > 0)
                Interlocked.Add(ref _recordsDropped, (ulong)dropped);
        }

        _pendingRecords.Clear();
        // A burst's worth of room is not kept once it is over.
        if (_pendingRecords.Capacity > MaxIdlePendingCapacity)
            _pendingRecords.Capacity = MaxIdlePendingCapacity;
    }

    // Called with _lifecycle held, after the reader thread has exited (or never ran).
    private void Release()
    {
        if (_state == TracerState.Stopped)
            return;

        if (_state == TracerState.Running)
        {
            lock (_resources)
            {
                try
                {
                    _tracker!.CompleteAll();
                }
#pragma warning disable CA1031 // Releasing the probes matters more than the last records.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.ReaderFailed(_logger, ex);
                }

                FlushRecords();
                _finalStatistics = CollectStatistics(_probes!, _reader!, _tracker!);
                _reader!.Dispose();
                _recorder?.Dispose();
                _probes!.Dispose();

                // The tracker may own pooled payload memory; the cast keeps this right whether or not it does.
                ((object)_tracker! as IDisposable)?.Dispose();
                _reader = null;
                _probes = null;
                _tracker = null;
            }

            var s = _finalStatistics;
            Log.Stopped(_logger, s.EventsRead, s.KernelEventsLost, s.RecordsProduced, s.RecordsDropped, s.GapBytes, s.ParseFailures);
        }

        _state = TracerState.Stopped;
        _records?.Complete();
        _connectionStats?.Complete();
        _metrics.Dispose();
        _attached.TrySetCanceled();
    }

    private TracerStatistics CollectStatistics(KernelProbes probes, IEventReader reader, ConnectionTracker tracker)
    {
        var kernel = probes.ReadCounters();
        var tracking = tracker.Statistics;
        return new TracerStatistics
        {
            KernelEventsSent = kernel.EventsSent,

            // With the perf buffer the kernel counter and the reader's lost callback see the same drops.
            KernelEventsLost = Math.Max(kernel.EventsLost, reader.LostEvents),
            KernelBytesLost = kernel.BytesLost,
            EventsRead = reader.EventsRead,
            GapBytes = tracking.GapBytes,
            BytesNotCaptured = tracking.BytesNotCaptured,
            ResyncSkippedBytes = tracking.ResyncSkippedBytes,
            BytesDroppedOverMemoryCap = tracking.BytesDroppedOverMemoryCap,
            ConnectionsTracked = tracking.ConnectionsTracked,
            RecordsProduced = tracking.RecordsProduced,
            RecordsDropped = Volatile.Read(ref _recordsDropped),
            ParseFailures = tracking.ParseFailures,
            ConnectionStatsDropped = _connectionStats?.Dropped ?? 0,
            StreamBytes = tracking.EgressBytes + tracking.IngressBytes,
        };
    }
}
