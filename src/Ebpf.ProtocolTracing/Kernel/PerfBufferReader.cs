using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing.Interop;

namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>Reads the per-CPU perf event buffers (the alternative to the ring buffer); counts what they lost.</summary>
internal sealed unsafe class PerfBufferReader : EventReaderBase
{
    private readonly PerfBufferHandle handle;

    private PerfBufferReader(BpfMap perfEventArray, int pagesPerCpu, IKernelEventSink sink)
        : base(sink)
    {
        // Weak: the reader stays collectable if nobody disposes it; a callback only runs inside Poll,
        // where the reader is alive.
        var context = GCHandle.Alloc(this, GCHandleType.Weak);
        var native = LibBpf.PerfBufferNew(perfEventArray.Fd, (nuint)pagesPerCpu, &OnSample, &OnLost, (void*)GCHandle.ToIntPtr(context), null);
        if (native == nint.Zero)
        {
            var errno = Marshal.GetLastPInvokeError();
            context.Free();
            throw new ProtocolTracingException(
                $"Could not open the kernel's perf buffers '{perfEventArray.Name}' with {pagesPerCpu} pages per CPU ({NativeError.Describe(errno)}). " +
                "PerfBufferPagesPerCpu must be a power of two; if memory is short (or perf_event_mlock_kb is low), use fewer pages.");
        }

        handle = new PerfBufferHandle(native, context);
    }

    /// <summary>Opens a reader of <paramref name="perfEventArray"/> (a loaded BPF_MAP_TYPE_PERF_EVENT_ARRAY) for <paramref name="sink"/>.</summary>
    public static PerfBufferReader Create(BpfMap perfEventArray, int pagesPerCpu, IKernelEventSink sink) => new(perfEventArray, pagesPerCpu, sink);

    /// <inheritdoc />
    protected override string BufferName => "perf buffer";

    /// <inheritdoc />
    protected override int PollNative(int timeoutMilliseconds) => LibBpf.PerfBufferPoll(handle, timeoutMilliseconds);

    /// <inheritdoc />
    protected override void ReleaseBuffer() => handle.Dispose();

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnSample(void* context, int cpu, void* data, uint size)
    {
        if (GCHandle.FromIntPtr((nint)context).Target is PerfBufferReader reader)
        {
            reader.Dispatch(new ReadOnlySpan<byte>(data, (int)Math.Min(size, int.MaxValue)));
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLost(void* context, int cpu, ulong count)
    {
        if (GCHandle.FromIntPtr((nint)context).Target is PerfBufferReader reader)
        {
            reader.ReportLost(count);
        }
    }
}
