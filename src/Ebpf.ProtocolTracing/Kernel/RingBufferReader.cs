using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing.Interop;

namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>Reads the BPF ring buffer (one buffer for all CPUs, kernel 5.8 or later).</summary>
internal sealed unsafe class RingBufferReader : EventReaderBase
{
    // How long events written without a wake-up may wait in the ring: the delay it adds to records.
    private const int DrainIntervalMilliseconds = 10;

    private readonly RingBufferHandle handle;

    private RingBufferReader(BpfMap ringBuffer, IKernelEventSink sink)
        : base(sink)
    {
        // Weak: the reader stays collectable if nobody disposes it; a callback only runs inside Poll,
        // where the reader is alive.
        var context = GCHandle.Alloc(this, GCHandleType.Weak);
        var native = LibBpf.RingBufferNew(ringBuffer.Fd, &OnSample, (void*)GCHandle.ToIntPtr(context), null);
        if (native == nint.Zero)
        {
            var errno = Marshal.GetLastPInvokeError();
            context.Free();
            throw new ProtocolTracingException(
                $"Could not map the kernel's ring buffer '{ringBuffer.Name}' ({NativeError.Describe(errno)}). " +
                "If memory is short, use a smaller RingBufferBytes, or EventBufferKind.PerfBuffer.");
        }

        handle = new RingBufferHandle(native, context);
    }

    /// <summary>Opens a reader of <paramref name="ringBuffer"/> (a loaded BPF_MAP_TYPE_RINGBUF) for <paramref name="sink"/>.</summary>
    public static RingBufferReader Create(BpfMap ringBuffer, IKernelEventSink sink) => new(ringBuffer, sink);

    /// <inheritdoc />
    protected override string BufferName => "ring buffer";

    /// <inheritdoc />
    /// <remarks>
    /// The kernel side writes events without waking the reader until a backlog builds up (a wake-up per
    /// event costs the traced process an interrupt), so the ring is drained in short slices: epoll for
    /// at most <see cref="DrainIntervalMilliseconds"/>, then consume whatever arrived unannounced.
    /// </remarks>
    protected override int PollNative(int timeoutMilliseconds)
    {
        var remaining = timeoutMilliseconds;
        while (true)
        {
            var slice = timeoutMilliseconds < 0 ? DrainIntervalMilliseconds : Math.Min(remaining, DrainIntervalMilliseconds);
            var polled = LibBpf.RingBufferPoll(handle, slice);
            if (polled < 0)
            {
                return polled;
            }

            var consumed = LibBpf.RingBufferConsume(handle);
            if (consumed < 0)
            {
                return consumed;
            }

            remaining -= slice;
            if (polled + consumed > 0 || (timeoutMilliseconds >= 0 && remaining <= 0))
            {
                return polled + consumed;
            }
        }
    }

    /// <inheritdoc />
    protected override void ReleaseBuffer() => handle.Dispose();

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnSample(void* context, void* data, nuint size)
    {
        if (GCHandle.FromIntPtr((nint)context).Target is not RingBufferReader reader)
        {
            return 0;
        }

        var raw = new ReadOnlySpan<byte>(data, (int)Math.Min(size, int.MaxValue));
        // A negative return stops libbpf's loop; Poll then rethrows the sink's exception.
        return reader.Dispatch(raw) ? 0 : -1;
    }
}
