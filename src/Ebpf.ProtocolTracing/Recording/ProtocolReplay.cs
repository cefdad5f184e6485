using System.Runtime.CompilerServices;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Recording;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing;

/// <summary>
/// Replays a recording of kernel events (made with <see cref="ProtocolTracer.RecordTo"/> or
/// <c>protocol-trace --record</c>) through the same connection tracking and parsers as live tracing:
/// the same records, offline, without root, eBPF or even Linux.
/// </summary>
/// <example>
/// <code>
/// await foreach (var record in ProtocolReplay.ReadRecordsAsync("session.ptrace"))
///     Console.WriteLine($"{record.RequestTime:O} {record.Operation} {record.Resource} → {record.Outcome}");
/// </code>
/// </example>
public static class ProtocolReplay
{
    // Replayed time advances in the recorded kernel's clock; timers (reorder window, idle timeout) run on it.
    private const ulong TickIntervalNs = 100_000_000;

    /// <summary>Reads the recording at <paramref name="path"/> and yields the records its events make.</summary>
    /// <param name="path">The recording file.</param>
    /// <param name="parsers">The protocol parsers; default: every built-in parser.</param>
    /// <param name="options">
    /// Tracking settings (limits, <see cref="ProtocolTracingOptions.Protocols"/>,
    /// <see cref="ProtocolTracingOptions.ParserPorts"/>); <see cref="ProtocolTracingOptions.ProcessIds"/>
    /// keeps records of those processes only. Kernel settings are ignored. Default: the defaults.
    /// </param>
    /// <param name="cancellationToken">Stops the replay.</param>
    /// <returns>The records, in the order the parsers produced them.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a recording, is of another format version, or is truncated or corrupt; the
    /// message names the byte offset. Records before the damage have been yielded already.
    /// </exception>
    public static async IAsyncEnumerable<ProtocolRecord> ReadRecordsAsync(
        string path,
        IEnumerable<IProtocolParser>? parsers = null,
        ProtocolTracingOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new ProtocolTracingOptions();
        var parserList = parsers?.ToList() ?? [.. BuiltInParsers.CreateAll()];
        if (parserList.Count == 0)
            throw new ArgumentException("At least one parser is needed to replay a recording; pass null for the built-in parsers.", nameof(parsers));

        using var replayer = await KernelEventReplayer.OpenFileAsync(path, cancellationToken).ConfigureAwait(false);
        var pending = new Queue<ProtocolRecord>();
        var processIds = options.ProcessIds.Count == 0 ? null : new HashSet<int>(options.ProcessIds);
        void Emit(ProtocolRecord record)
        {
            if (processIds is null || processIds.Contains(record.Pid))
                pending.Enqueue(record);
        }

        var registry = new ParserRegistry(parserList, new Dictionary<int, string>(options.ParserPorts));
        var tracker = new ConnectionTracker(registry, options, Emit, new KernelClock(replayer.MonotonicZero));
        ulong lastTickNs = 0;
        while (await replayer.ReadNextAsync(cancellationToken).ConfigureAwait(false))
        {
            replayer.Dispatch(tracker);
            var timestamp = replayer.CurrentTimestampNs;
            if (timestamp > lastTickNs + TickIntervalNs)
            {
                tracker.Tick(timestamp);
                lastTickNs = timestamp;
            }

            while (pending.TryDequeue(out var record))
                yield return record;
        }

        // The recording ended: what the parsers can still complete comes out, as when a tracer stops.
        tracker.CompleteAll();
        while (pending.TryDequeue(out var record))
            yield return record;
    }
}
