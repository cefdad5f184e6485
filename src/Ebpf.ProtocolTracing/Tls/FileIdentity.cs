using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>The (device, inode) of a path, encoded as <c>/proc/&lt;pid&gt;/maps</c> shows it.</summary>
internal static unsafe partial class FileIdentity
{
    /// <summary>Reads the identity of <paramref name="path"/> (following symbolic links); false when it cannot be stat'ed.</summary>
    public static bool TryGet(string path, out MappedFile file)
    {
        // struct stat starts with st_dev and st_ino as 64-bit fields on x86-64 and arm64; the rest is not read.
        var buffer = stackalloc ulong[32];
        if (Stat(path, buffer) != 0)
        {
            file = default;
            return false;
        }

        var device = buffer[0];
        // glibc's dev_t encoding → the kernel's (major << 20 | minor) that maps prints.
        var major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfffUL);
        var minor = (device & 0xff) | ((device >> 12) & ~0xffUL);
        file = new MappedFile(path, (major << 20) | minor, buffer[1]);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, ulong* buffer);
}
