using System.Runtime.ExceptionServices;

namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>
/// What both buffer readers share: decoding into the sink, the counters, and carrying an exception
/// thrown by the sink to <see cref="Poll"/> once the walk of the buffer is left (the perf buffer's walk
/// runs in libbpf's C frames, which it must not unwind through).
/// </summary>
internal abstract class EventReaderBase : IEventReader
{
    private const int EINTR = 4;

    private readonly IKernelEventSink sink;
    private ulong eventsRead;
    private ulong lostEvents;
    private ulong malformedEvents;
    private int dispatchedThisPoll;
    private ExceptionDispatchInfo? sinkFailure;
    private volatile bool disposed;

    protected EventReaderBase(IKernelEventSink sink) => this.sink = sink;

    /// <inheritdoc />
    public ulong EventsRead => Volatile.Read(ref eventsRead);

    /// <inheritdoc />
    public ulong LostEvents => Volatile.Read(ref lostEvents);

    /// <inheritdoc />
    public ulong MalformedEvents => Volatile.Read(ref malformedEvents);

    /// <inheritdoc />
    public int Poll(int timeoutMilliseconds)
    {
        if (disposed)
        {
            return 0;
        }

        dispatchedThisPoll = 0;
        int result;
        try
        {
            result = PollNative(timeoutMilliseconds);
        }
        catch (ObjectDisposedException) when (disposed)
        {
            // Disposed by another thread between the check above and the native call.
            return 0;
        }

        if (sinkFailure is { } failure)
        {
            sinkFailure = null;
            failure.Throw();
        }

        if (result < 0 && -result != EINTR)
        {
            throw new ProtocolTracingException(
                $"Polling the kernel's {BufferName} failed ({Interop.NativeError.Describe(-result)}); tracing cannot go on: restart the tracer.");
        }

        return dispatchedThisPoll;
    }

    /// <summary>The buffer, for messages.</summary>
    protected abstract string BufferName { get; }

    /// <summary>Waits for events and hands them to <see cref="Dispatch"/>; returns a count (negative: <c>-errno</c>).</summary>
    protected abstract int PollNative(int timeoutMilliseconds);

    /// <summary>Releases the native buffer.</summary>
    protected abstract void ReleaseBuffer();

    /// <summary>Decodes one record for the sink. Called on the polling thread, inside <see cref="PollNative"/>.</summary>
    /// <returns><see langword="false"/> when the sink threw; the exception is rethrown by <see cref="Poll"/>.</returns>
    protected bool Dispatch(ReadOnlySpan<byte> raw)
    {
        // After a sink failure the rest of this poll is dropped: the exception ends the reader's loop anyway.
        if (sinkFailure is not null)
        {
            return false;
        }

        try
        {
            if (KernelEventDecoder.TryDispatch(raw, sink))
            {
                eventsRead++;
                dispatchedThisPoll++;
            }
            else
            {
                malformedEvents++;
            }

            return true;
        }
#pragma warning disable CA1031 // Rethrown by Poll once the buffer's walk is left.
        catch (Exception e)
#pragma warning restore CA1031
        {
            sinkFailure = ExceptionDispatchInfo.Capture(e);
            return false;
        }
    }

    /// <summary>Reports events the buffer had no room for. Called on the polling thread, inside <see cref="PollNative"/>.</summary>
    protected void ReportLost(ulong count)
    {
        lostEvents += count;
        if (sinkFailure is not null)
        {
            return;
        }

        try
        {
            sink.OnLost(count);
        }
#pragma warning disable CA1031 // Rethrown by Poll once the buffer's walk is left.
        catch (Exception e)
#pragma warning restore CA1031
        {
            sinkFailure = ExceptionDispatchInfo.Capture(e);
        }
    }

    /// <summary>Frees the buffer. A poll in progress on another thread finishes first (the handle is reference counted).</summary>
    public void Dispose()
    {
        disposed = true;
        ReleaseBuffer();
    }
}
