using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>
/// Owns a <c>struct bpf_object</c> and the ELF image it was opened from: libbpf reads the image in place
/// until the object is loaded, so the image lives exactly as long as the object.
/// </summary>
internal sealed unsafe class BpfObjectHandle : SafeHandle
{
    private void* image;

    /// <summary>Creates an invalid handle (for marshalling).</summary>
    public BpfObjectHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="obj"/> and of <paramref name="elfImage"/> (allocated with <see cref="NativeMemory"/>).</summary>
    public BpfObjectHandle(nint obj, void* elfImage)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(obj);
        image = elfImage;
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == nint.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        LibBpf.ObjectClose(handle);
        NativeMemory.Free(image);
        image = null;
        return true;
    }
}
