using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing.Interop;

namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>Reads the BPF ring buffer (one buffer for all CPUs, kernel 5.8 or later).</summary>
internal sealed unsafe class RingBufferReader : EventReaderBase
{
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
    protected override int PollNative(int timeoutMilliseconds) => LibBpf.RingBufferPoll(handle, timeoutMilliseconds);

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
