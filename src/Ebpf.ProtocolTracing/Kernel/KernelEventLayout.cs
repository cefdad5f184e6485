using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Kernel;

// Byte-for-byte mirror of native/bpf/include/trace_events.h. Change both together.

/// <summary>Constants shared with the BPF programs.</summary>
internal static class KernelEventLayout
{
    // 2 added ProcessExit; version 1 is a subset, so recordings of either version replay.
    public const int Version = 2;

    /// <summary>The oldest wire-format version this library still decodes (recordings).</summary>
    public const int OldestReadableVersion = 1;
    public const int MaxChunk = 8192;
    public const int MaxChunksPerSyscall = 8;
    public const int HeaderSize = 32;
    public const int OpenEventSize = 96;
    public const int CloseEventSize = 48;
    public const int DataEventHeaderSize = 56;
    public const int DatagramEventHeaderSize = 72;
    public const int ProcessExitEventSize = 40;
}

internal enum KernelEventKind : byte
{
    Open = 1,
    Close = 2,
    Data = 3,
    Datagram = 4,
    ProcessExit = 5,
}

[Flags]
internal enum KernelEventFlags : ushort
{
    None = 0,
    Midstream = 1 << 0,
    Encrypted = 1 << 1,
    DataSent = 1 << 2,
}

internal enum KernelRole : byte
{
    Unknown = 0,
    Client = 1,
    Server = 2,
}

internal enum KernelSource : byte
{
    Read = 1, Write = 2, Readv = 3, Writev = 4, Recvfrom = 5, Sendto = 6,
    Recvmsg = 7, Sendmsg = 8, Recvmmsg = 9, Sendmmsg = 10, Sendfile = 11,
    Tls = 12, // plaintext from a TLS library call (uprobe)
}

internal enum KernelCounter
{
    EventsSent = 0,
    EventsLost = 1,
    BytesLost = 2,
    ConnectionsOpened = 3,
    ConnectionTableFull = 4,
    Count = 8,
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal readonly struct KernelConnKey
{
    public readonly uint Tgid;
    public readonly int Fd;
    public readonly ulong Generation;

    public KernelConnKey(uint tgid, int fd, ulong generation) => (Tgid, Fd, Generation) = (tgid, fd, generation);

    public ConnectionId ToConnectionId() => new((int)Tgid, Fd, Generation);
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct KernelEventHeader
{
    public KernelEventKind Kind;
    public byte Protocol;
    public KernelEventFlags Flags;
    public uint Tid;
    public ulong TimestampNs;
    public KernelConnKey Conn;
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal unsafe struct OpenEvent
{
    public KernelEventHeader Header;
    public ulong ProcessStartNs;
    public ushort Family;
    public ushort LocalPort;
    public ushort RemotePort;
    public KernelRole Role;
    public byte Transport;
    public fixed byte LocalAddr[16];
    public fixed byte RemoteAddr[16];
    public fixed byte Comm[16];
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct CloseEvent
{
    public KernelEventHeader Header;
    public ulong BytesSent;
    public ulong BytesReceived;
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct DataEvent
{
    public KernelEventHeader Header;
    public ulong Position;
    public uint CapturedLength;
    public uint OriginalLength;
    public StreamDirection Direction;
    public KernelSource Source;
    public ushort Reserved;
    public uint Reserved2;
}

/// <summary>One UDP datagram; <see cref="Sequence"/> counts datagrams per direction, not bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal unsafe struct DatagramEvent
{
    public KernelEventHeader Header;
    public ulong Sequence;
    public uint CapturedLength;
    public uint OriginalLength;
    public StreamDirection Direction;
    public KernelSource Source;
    public ushort Family;
    public ushort PeerPort;
    public ushort Reserved;
    public fixed byte PeerAddr[16];
}

/// <summary>
/// The last thread of a traced process exited: the kernel closed its sockets without close() syscalls.
/// <c>Header.Conn.Tgid</c> is the process; its fd is -1 and its generation 0.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct ProcessExitEvent
{
    public KernelEventHeader Header;
    public ulong ProcessStartNs;
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct TraceConfig
{
    public uint SelfTgid;
    public uint FilterByPid;
    public uint ChunkLimit;
    public uint MaxChunks;
    public ulong EnabledProtocols;
    public uint UsePerfBuffer;
    public uint CaptureAll;
}
