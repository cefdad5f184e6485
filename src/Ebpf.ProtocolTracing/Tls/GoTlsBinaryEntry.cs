using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>The value of the kernel's <c>go_tls_binaries</c> map (<c>struct go_tls_binary</c> in <c>native/bpf/include/tls_go.h</c>), keyed by the executable's inode.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GoTlsBinaryEntry
{
    /// <summary>Link-time address of the <c>*net.TCPConn</c> itab; 0 skips the check.</summary>
    public ulong TcpConnItab;

    /// <summary>Link-time address of the instruction <c>crypto/tls.(*Conn).Write</c>'s entry probe sits on (the kernel derives the load bias from it).</summary>
    public ulong WriteAddress;

    /// <summary>The same for <c>crypto/tls.(*Conn).Read</c>.</summary>
    public ulong ReadAddress;

    /// <summary>See <see cref="GoStructLayout.ConnOffset"/>.</summary>
    public uint ConnOffset;

    /// <summary>See <see cref="GoStructLayout.TcpConnFdOffset"/>.</summary>
    public uint TcpConnFdOffset;

    /// <summary>See <see cref="GoStructLayout.NetFdPfdOffset"/>.</summary>
    public uint NetFdPfdOffset;

    /// <summary>See <see cref="GoStructLayout.PfdSysfdOffset"/>.</summary>
    public uint PfdSysfdOffset;

    /// <summary>1 when Write's plaintext goes up at its entry probe (on the stack check's <c>jbe</c>), not at its RETs.</summary>
    public uint WriteAtEntry;

    /// <summary>Keeps the size a multiple of 8, as in C.</summary>
    public uint Padding;

    /// <summary>The entry of <paramref name="target"/>.</summary>
    public static GoTlsBinaryEntry From(GoTlsTarget target) => new()
    {
        TcpConnItab = target.TcpConnItab,
        WriteAddress = target.Write.Address + (ulong)target.WriteProbes.EntryOffset,
        ReadAddress = target.Read.Address + (ulong)target.ReadProbes.EntryOffset,
        ConnOffset = target.Layout.ConnOffset,
        TcpConnFdOffset = target.Layout.TcpConnFdOffset,
        NetFdPfdOffset = target.Layout.NetFdPfdOffset,
        PfdSysfdOffset = target.Layout.PfdSysfdOffset,
        WriteAtEntry = target.WriteProbes.EntryOnStackCheckJump ? 1u : 0u,
    };
}
