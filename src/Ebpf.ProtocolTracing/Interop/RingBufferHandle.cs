using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>
/// Owns the memory mappings of a BPF ring buffer map and the epoll instance that waits on it. The
/// kernel's layout: the consumer page (writable, <c>consumer_pos</c> at offset 0) at file offset 0;
/// from file offset one page, the read-only producer page (<c>producer_pos</c> at offset 0) followed by
/// the data area, which the kernel maps twice back to back so a record that wraps is still contiguous.
/// Both mappings and the epoll fd hold the map's file open, so the map's own fd may close first.
/// </summary>
/// <remarks>
/// The pointers are valid only while a reference is held (<see cref="SafeHandle.DangerousAddRef"/>):
/// a dispose from another thread then defers the unmapping until the reference is released.
/// </remarks>
internal sealed unsafe class RingBufferHandle : SafeHandle
{
    private readonly nint producerMapping;
    private readonly nuint producerMappingLength;
    private readonly int epollFd;

    private RingBufferHandle(nint consumerPage, nint producerMapping, nuint producerMappingLength, int epollFd, uint ringSize)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(consumerPage);
        this.producerMapping = producerMapping;
        this.producerMappingLength = producerMappingLength;
        this.epollFd = epollFd;
        RingSize = ringSize;
    }

    /// <summary>Bytes in the data area (the map's max_entries, a power of two).</summary>
    public uint RingSize { get; }

    /// <summary>How far the reader has read; written by the reader only.</summary>
    public ulong* ConsumerPosition => (ulong*)handle;

    /// <summary>How far the kernel has reserved; read-only.</summary>
    public ulong* ProducerPosition => (ulong*)producerMapping;

    /// <summary>The data area, <see cref="RingSize"/> bytes mapped twice in a row.</summary>
    public byte* Data => (byte*)producerMapping + Environment.SystemPageSize;

    /// <summary>
    /// An epoll instance on which the map's fd is registered for <c>EPOLLIN</c>, edge-triggered: a wait
    /// ends early only for a wake-up the kernel forced since the last one, not whenever the ring holds
    /// data. The reader looks at the backlog itself before it waits.
    /// </summary>
    public int EpollFd => epollFd;

    /// <inheritdoc />
    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>Maps the ring buffer map <paramref name="mapFd"/> of <paramref name="ringSize"/> data bytes and registers it with a new epoll instance.</summary>
    /// <param name="mapFd">The map's fd; the handle does not need it open afterwards.</param>
    /// <param name="ringSize">The map's max_entries.</param>
    /// <param name="failure">What failed, with its errno, when the result is <see langword="null"/>.</param>
    /// <returns>The handle, or <see langword="null"/> when a step failed (everything done so far is undone).</returns>
    public static RingBufferHandle? TryOpen(int mapFd, uint ringSize, out string failure)
    {
        var pageSize = (nuint)Environment.SystemPageSize;
        var producerLength = pageSize + (2 * (nuint)ringSize);
        var consumerPage = LibC.Mmap(nint.Zero, pageSize, LibC.ProtectRead | LibC.ProtectWrite, LibC.MapShared, mapFd, 0);
        if (consumerPage == LibC.MapFailed)
        {
            failure = $"mapping its consumer page failed ({NativeError.Describe(Marshal.GetLastPInvokeError())})";
            return null;
        }

        var producer = LibC.Mmap(nint.Zero, producerLength, LibC.ProtectRead, LibC.MapShared, mapFd, (long)pageSize);
        if (producer == LibC.MapFailed)
        {
            failure = $"mapping its {producerLength} bytes of producer page and data failed ({NativeError.Describe(Marshal.GetLastPInvokeError())})";
            LibC.Munmap(consumerPage, pageSize);
            return null;
        }

        var epoll = LibC.EpollCreate1(LibC.EpollCloseOnExec);
        if (epoll < 0)
        {
            failure = $"creating an epoll instance failed ({NativeError.Describe(Marshal.GetLastPInvokeError())})";
            LibC.Munmap(producer, producerLength);
            LibC.Munmap(consumerPage, pageSize);
            return null;
        }

        var interest = new LibC.EpollEvent { Events = LibC.EpollIn | LibC.EpollEdgeTriggered };
        if (LibC.EpollControl(epoll, LibC.EpollControlAdd, mapFd, &interest) != 0)
        {
            failure = $"registering it with epoll failed ({NativeError.Describe(Marshal.GetLastPInvokeError())})";
            LibC.Close(epoll);
            LibC.Munmap(producer, producerLength);
            LibC.Munmap(consumerPage, pageSize);
            return null;
        }

        failure = string.Empty;
        return new RingBufferHandle(consumerPage, producer, producerLength, epoll, ringSize);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        // SafeHandle runs this once, after the last reference is released.
        var released = LibC.Close(epollFd) == 0;
        released &= LibC.Munmap(producerMapping, producerMappingLength) == 0;
        released &= LibC.Munmap(handle, (nuint)Environment.SystemPageSize) == 0;
        return released;
    }
}
