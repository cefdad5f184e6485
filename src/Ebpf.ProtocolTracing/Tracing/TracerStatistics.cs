namespace Ebpf.ProtocolTracing;

/// <summary>Counters of the whole pipeline. Every byte or event that did not make it is counted here.</summary>
public sealed record TracerStatistics
{
    /// <summary>Events the kernel handed to the buffer.</summary>
    public ulong KernelEventsSent { get; init; }

    /// <summary>Events the kernel dropped because the buffer was full.</summary>
    public ulong KernelEventsLost { get; init; }

    /// <summary>Payload bytes inside events the kernel dropped.</summary>
    public ulong KernelBytesLost { get; init; }

    /// <summary>Events user space read from the buffer.</summary>
    public ulong EventsRead { get; init; }

    /// <summary>
    /// Stream bytes never seen by a parser of connections the kernel sent bytes of: capture limits, sendfile,
    /// lost events (gaps). Bytes of connections the kernel kept entirely are <see cref="BytesNotCaptured"/>.
    /// </summary>
    public ulong GapBytes { get; init; }

    /// <summary>
    /// Stream bytes of closed connections the kernel sent none of, because it recognised no enabled protocol in
    /// them (other traffic, a protocol left out of <see cref="ProtocolTracingOptions.Protocols"/>, TLS without
    /// its plaintext). Not a loss: this is the traffic the tracer leaves in the kernel. A custom protocol's
    /// port in <see cref="ProtocolTracingOptions.ParserPorts"/> is always captured.
    /// </summary>
    public ulong BytesNotCaptured { get; init; }

    /// <summary>Bytes dropped while looking for the next frame boundary after a gap or invalid data.</summary>
    public ulong ResyncSkippedBytes { get; init; }

    /// <summary>Bytes dropped because a connection or the whole tracker went over its memory cap.</summary>
    public ulong BytesDroppedOverMemoryCap { get; init; }

    /// <summary>Connections currently tracked in user space.</summary>
    public long ConnectionsTracked { get; init; }

    /// <summary>Records produced by the parsers.</summary>
    public ulong RecordsProduced { get; init; }

    /// <summary>Records dropped because the reader of <see cref="IProtocolTracer.ReadRecordsAsync"/> fell behind.</summary>
    public ulong RecordsDropped { get; init; }

    /// <summary>Times a parser reported bytes it could not parse.</summary>
    public ulong ParseFailures { get; init; }

    /// <summary>Connection statistics dropped because the reader of <see cref="IProtocolTracer.ReadConnectionStatsAsync"/> fell behind.</summary>
    public ulong ConnectionStatsDropped { get; init; }

    /// <summary>Stream bytes the kernel reported (sent and received, captured or not).</summary>
    public ulong StreamBytes { get; init; }
}
