using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>Owns a <c>struct bpf_link</c>: releasing it detaches the program.</summary>
internal sealed class BpfLinkHandle : SafeHandle
{
    /// <summary>Creates an invalid handle (for marshalling).</summary>
    public BpfLinkHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="link"/>.</summary>
    public BpfLinkHandle(nint link)
        : base(nint.Zero, ownsHandle: true)
        => SetHandle(link);

    /// <inheritdoc />
    public override bool IsInvalid => handle == nint.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle() => LibBpf.LinkDestroy(handle) == 0;
}
