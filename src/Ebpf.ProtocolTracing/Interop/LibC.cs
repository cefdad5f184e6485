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
}
