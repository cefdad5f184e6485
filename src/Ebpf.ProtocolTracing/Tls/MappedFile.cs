namespace Ebpf.ProtocolTracing.Tls;

/// <summary>A file mapped executable into a process: uprobes attach once per file, whoever maps it.</summary>
/// <param name="Path">The path as the process's maps show it.</param>
/// <param name="Device">The device number of the file's filesystem.</param>
/// <param name="Inode">The file's inode: with <paramref name="Device"/>, the file's identity.</param>
internal readonly record struct MappedFile(string Path, ulong Device, ulong Inode)
{
    /// <summary>The file's identity (device and inode), the same through any path or hard link.</summary>
    public (ulong Device, ulong Inode) Identity => (Device, Inode);
}
