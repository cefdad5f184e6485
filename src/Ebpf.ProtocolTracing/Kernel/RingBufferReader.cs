using System.Numerics;
using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing.Interop;

namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>
/// Reads the BPF ring buffer (one buffer for all CPUs) straight from its mapped pages: records are
/// handed to the sink as spans over the mapping, with no call back from native code.
/// </summary>
internal sealed unsafe class RingBufferReader : EventReaderBase
{
    // How long events written without a wake-up may wait in the ring: the delay it adds to records.
    private const int DrainIntervalMilliseconds = 10;

    // The kernel forces a wake-up when an event makes this fraction of the ring wait (ringbuf_wakeup_flags in trace.bpf.c).
    private const uint WakeupFraction = 16;

    private readonly RingBufferHandle handle;

    private RingBufferReader(BpfMap ringBuffer, IKernelEventSink sink)
        : base(sink)
    {
        var ringSize = ringBuffer.MaxEntries;
        if (ringSize < (uint)Environment.SystemPageSize || !BitOperations.IsPow2(ringSize))
        {
            throw new ProtocolTracingException(
                $"The kernel's ring buffer '{ringBuffer.Name}' has {ringSize} bytes, not a power of two of at least the page size " +
                $"({Environment.SystemPageSize}): set RingBufferBytes to one.");
        }

        handle = RingBufferHandle.TryOpen(ringBuffer.Fd, ringSize, out var failure)
            ?? throw new ProtocolTracingException(
                $"Could not map the kernel's ring buffer '{ringBuffer.Name}' of {ringSize} bytes: {failure}. " +
                "If memory is short, use a smaller RingBufferBytes, or EventBufferKind.PerfBuffer.");
    }

    /// <summary>Opens a reader of <paramref name="ringBuffer"/> (a loaded BPF_MAP_TYPE_RINGBUF) for <paramref name="sink"/>.</summary>
    public static RingBufferReader Create(BpfMap ringBuffer, IKernelEventSink sink) => new(ringBuffer, sink);

    /// <inheritdoc />
    protected override string BufferName => "ring buffer";

    /// <inheritdoc />
    /// <remarks>
    /// The kernel side writes events without waking the reader until a backlog builds up (a wake-up per
    /// event costs the traced process an interrupt), so the ring is drained in short slices: epoll waits
    /// at most <see cref="DrainIntervalMilliseconds"/> (less when the kernel forces a wake-up), then
    /// whatever arrived is consumed; a ring already past the wake-up threshold is consumed without waiting.
    /// </remarks>
    protected override int PollNative(int timeoutMilliseconds)
    {
        var remaining = timeoutMilliseconds;
        while (true)
        {
            var slice = 0;
            var added = false;
            // Throws ObjectDisposedException once disposed (the base class expects that); while held, a
            // dispose from another thread leaves the mappings in place until the release below.
            handle.DangerousAddRef(ref added);
            try
            {
                // The kernel wakes the reader only when an event makes WakeupFraction of the ring wait, so
                // a ring already past that (a burst a previous poll left, or one that came in while the
                // records were handled) is read now: waiting would only let it fill.
                if (timeoutMilliseconds != 0 && !BacklogDue())
                {
                    slice = timeoutMilliseconds < 0 ? DrainIntervalMilliseconds : Math.Min(remaining, DrainIntervalMilliseconds);
                    LibC.EpollEvent ready;
                    if (LibC.EpollWait(handle.EpollFd, &ready, 1, slice) < 0)
                    {
                        return -Marshal.GetLastPInvokeError();
                    }
                }

                var consumed = Consume();
                remaining -= slice;
                if (consumed > 0 || (timeoutMilliseconds >= 0 && remaining <= 0))
                {
                    return consumed;
                }
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }
    }

    // Whether at least the kernel's wake-up threshold waits in the ring (see trace.bpf.c, ringbuf_wakeup_flags).
    private bool BacklogDue() =>
        Volatile.Read(ref *handle.ProducerPosition) - Volatile.Read(ref *handle.ConsumerPosition) >= handle.RingSize / WakeupFraction;

    protected override void ReleaseBuffer() => handle.Dispose();

    /// <summary>Dispatches what the ring holds; the caller holds a reference on the handle.</summary>
    private int Consume()
    {
        var visitor = new DispatchingVisitor(this);
        return RingBufferWalk.Run(handle.Data, handle.RingSize, handle.ConsumerPosition, handle.ProducerPosition, ref visitor);
    }

    private readonly struct DispatchingVisitor(RingBufferReader reader) : IRingRecordVisitor
    {
        // False once the sink threw: the walk stops with that record consumed, and Poll rethrows.
        public bool OnRecord(ReadOnlySpan<byte> sample) => reader.Dispatch(sample);

        // The decoder takes a record too short for any event header as malformed and counts it so.
        public void OnCorrupt() => reader.Dispatch(ReadOnlySpan<byte>.Empty);
    }
}
