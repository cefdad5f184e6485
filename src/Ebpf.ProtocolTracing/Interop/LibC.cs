using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>The few C library calls the runtime needs besides libbpf.</summary>
internal static unsafe partial class LibC
{
    private const string LibraryName = "libc";

    /// <summary>
    /// Formats a <c>va_list</c>. On x86-64 and arm64 a <c>va_list</c> argument travels as a pointer, so
    /// it is passed here as the pointer the caller received.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "vsnprintf")]
    public static partial int VsnPrintf(byte* buffer, nuint size, byte* format, nint arguments);

    [LibraryImport(LibraryName, EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Mount(string source, string target, string fileSystemType, nuint flags, void* data);

    // Memory mappings (sys/mman.h)

    public const int ProtectRead = 0x1;
    public const int ProtectWrite = 0x2;
    public const int MapShared = 0x01;

    /// <summary>What <see cref="Mmap"/> returns on failure (<c>MAP_FAILED</c>).</summary>
    public const nint MapFailed = -1;

    [LibraryImport(LibraryName, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(LibraryName, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    // File descriptors and epoll (unistd.h, sys/epoll.h)

    public const int EpollCloseOnExec = 0x80000;
    public const int EpollControlAdd = 1;
    public const uint EpollIn = 0x001;
    public const uint EpollEdgeTriggered = 1u << 31;

    [LibraryImport(LibraryName, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(LibraryName, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(LibraryName, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollControl(int epollFd, int operation, int fd, EpollEvent* epollEvent);

    [LibraryImport(LibraryName, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epollFd, EpollEvent* events, int maxEvents, int timeoutMilliseconds);

    /// <summary>
    /// <c>struct epoll_event</c>: the event mask, then 8 bytes of user data. x86-64 packs it to 12 bytes,
    /// other architectures align it to 16; 16 bytes with the mask first holds either layout, and the
    /// user data (which sits at a different offset in each) is never used here.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 16)]
    public struct EpollEvent
    {
        public uint Events;
    }
}
