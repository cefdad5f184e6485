namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>
/// Reads the kernel's events from a ring or perf buffer and hands them to an <see cref="IKernelEventSink"/>.
/// One thread polls; <see cref="IDisposable.Dispose"/> may come from another.
/// </summary>
internal interface IEventReader : IDisposable
{
    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (0: do not wait, -1: forever) for events and
    /// dispatches every available one to the sink on the calling thread.
    /// </summary>
    /// <returns>How many events were dispatched; 0 once disposed.</returns>
    /// <exception cref="ProtocolTracingException">The buffer cannot be read any more.</exception>
    /// <remarks>An exception thrown by the sink ends the poll and is rethrown here; the reader stays usable.</remarks>
    int Poll(int timeoutMilliseconds);

    /// <summary>Events read from the buffer and dispatched to the sink.</summary>
    ulong EventsRead { get; }

    /// <summary>
    /// Events the buffer reported lost (the perf buffer's lost callback). Always 0 for the ring buffer,
    /// whose losses the kernel counters report.
    /// </summary>
    ulong LostEvents { get; }

    /// <summary>Records that were too short or inconsistent to decode; skipped, never read out of bounds.</summary>
    ulong MalformedEvents { get; }
}
