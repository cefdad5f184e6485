namespace Ebpf.ProtocolTracing.Recording;

/// <summary>
/// The layout of a kernel event recording (<c>.ptrace</c> file), little-endian throughout.
/// </summary>
/// <remarks>
/// <code>
/// offset size
///      0    8  magic "EBPFPTRC"
///      8    2  format version (<see cref="FormatVersion"/>)
///     10    2  kernel wire-format version (KernelEventLayout.Version) of the events that follow
///     12    4  header size in bytes (32; a reader skips what it does not know)
///     16    8  wall-clock time of CLOCK_MONOTONIC 0, in .NET ticks (100 ns) since 0001-01-01 UTC
///     24    8  reserved, 0
///     32       records: u32 length, then that many bytes of one raw kernel event as the kernel wrote it
/// </code>
/// A record whose first byte is <see cref="LostEventsKind"/> is not a kernel event: it holds the count
/// (u64 at offset 8) of events the buffer reported lost at that point, so a replay counts them too.
/// </remarks>
internal static class KernelRecordingFormat
{
    /// <summary>The first 8 bytes of every recording.</summary>
    public static ReadOnlySpan<byte> Magic => "EBPFPTRC"u8;

    /// <summary>The version of this file layout; bumped on any incompatible change.</summary>
    public const ushort FormatVersion = 1;

    /// <summary>The size of the header this version writes.</summary>
    public const int HeaderSize = 32;

    /// <summary>Bytes of the length prefix before each record.</summary>
    public const int LengthPrefixSize = 4;

    /// <summary>
    /// The largest record a reader accepts: a data event with a full chunk plus alignment slack. A length
    /// above it is corruption, refused before anything is allocated.
    /// </summary>
    public const int MaxRecordSize = Kernel.KernelEventLayout.DataEventHeaderSize + Kernel.KernelEventLayout.MaxChunk + 64;

    /// <summary>The kind byte of a lost-events marker record (never a kernel event kind).</summary>
    public const byte LostEventsKind = 0xF0;

    /// <summary>The size of a lost-events marker record.</summary>
    public const int LostEventsRecordSize = 16;
}
