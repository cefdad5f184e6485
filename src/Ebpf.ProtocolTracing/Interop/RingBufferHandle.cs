using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>
/// Owns a <c>struct ring_buffer</c> and the <see cref="GCHandle"/> its callback uses as context. The
/// GC handle is freed only after libbpf has freed the buffer, so a callback can never see a dead context.
/// </summary>
internal sealed class RingBufferHandle : SafeHandle
{
    private GCHandle context;

    /// <summary>Creates an invalid handle (for marshalling).</summary>
    public RingBufferHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="ringBuffer"/> and of <paramref name="callbackContext"/>.</summary>
    public RingBufferHandle(nint ringBuffer, GCHandle callbackContext)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(ringBuffer);
        context = callbackContext;
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == nint.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        LibBpf.RingBufferFree(handle);
        if (context.IsAllocated)
        {
            context.Free();
        }

        return true;
    }
}
