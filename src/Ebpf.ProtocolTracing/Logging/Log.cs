using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Logging;

/// <summary>The tracer's log messages, source-generated so that disabled levels cost nothing.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Protocol tracing attached {ProbeCount} probes ({BufferKind}); tracing protocols {Protocols}")]
    public static partial void Attached(ILogger logger, int probeCount, EventBufferKind bufferKind, string protocols);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Protocol tracing stopped: {EventsRead} events read, {KernelEventsLost} lost in the kernel, {RecordsProduced} records produced, {RecordsDropped} dropped for a slow reader, {GapBytes} gap bytes, {ParseFailures} parse failures")]
    public static partial void Stopped(ILogger logger, ulong eventsRead, ulong kernelEventsLost, ulong recordsProduced, ulong recordsDropped, ulong gapBytes, ulong parseFailures);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "The kernel dropped {LostSinceLastReport} events ({TotalLost} in total) because the event buffer was full; raise ProtocolTracingOptions.RingBufferBytes (or PerfBufferPagesPerCpu) or narrow ProcessIds/Protocols")]
    public static partial void EventsLost(ILogger logger, ulong lostSinceLastReport, ulong totalLost);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug,
        Message = "Parsers reported {NewFailures} byte runs they could not parse ({TotalFailures} in total); the affected connections resynchronise or stop being traced")]
    public static partial void ParseFailures(ILogger logger, ulong newFailures, ulong totalFailures);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "{RecordsDropped} records dropped in total because the reader of ReadRecordsAsync fell behind; raise ProtocolTracingOptions.RecordBufferCapacity or read faster")]
    public static partial void RecordsDropped(ILogger logger, ulong recordsDropped);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error,
        Message = "The protocol tracing reader thread failed; tracing has stopped")]
    public static partial void ReaderFailed(ILogger logger, Exception exception);

    // Debug: the caller gets the exception (a host logs it as a failed start), so a second report would only repeat it.
    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug,
        Message = "Protocol tracing could not start: {Reason}")]
    public static partial void StartFailed(ILogger logger, string reason, Exception exception);
}
