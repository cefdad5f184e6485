namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// Where the socket's fd is under a <c>*tls.Conn</c>: <c>tls.Conn.conn</c> (a <c>net.Conn</c>: itab, data)
/// → <c>*net.TCPConn</c>, whose embedded <c>net.conn</c> holds <c>fd *netFD</c> → <c>netFD.pfd</c>
/// (<c>internal/poll.FD</c>) → <c>Sysfd</c>. Byte offsets of those fields.
/// </summary>
/// <param name="ConnOffset">Offset of <c>conn</c> in <c>crypto/tls.Conn</c>.</param>
/// <param name="TcpConnFdOffset">Offset of <c>fd</c> in <c>net.TCPConn</c> (through its embedded <c>net.conn</c>).</param>
/// <param name="NetFdPfdOffset">Offset of <c>pfd</c> in <c>net.netFD</c>.</param>
/// <param name="PfdSysfdOffset">Offset of <c>Sysfd</c> in <c>internal/poll.FD</c>.</param>
/// <param name="Source">Where the offsets came from, for the log ("DWARF" or the known layout).</param>
internal sealed record GoStructLayout(uint ConnOffset, uint TcpConnFdOffset, uint NetFdPfdOffset, uint PfdSysfdOffset, string Source)
{
    /// <summary>The oldest Go release with the register ABI on amd64 (arguments and results in registers, g in R14).</summary>
    public static readonly GoVersion OldestSupported = new(1, 17);

    /// <summary>
    /// The layout of Go 1.17 up to at least 1.25 on 64-bit platforms, checked against the sources: <c>conn</c> is
    /// the first field of <c>tls.Conn</c>, <c>TCPConn</c> embeds <c>conn{fd *netFD}</c> first, <c>pfd</c> is
    /// the first field of <c>netFD</c>, and <c>poll.FD</c> starts with <c>fdmu fdMutex</c> (a uint64 and two
    /// uint32: 16 bytes) before <c>Sysfd</c>. Used when the binary has no DWARF (built with <c>-ldflags=-w</c>).
    /// </summary>
    public static GoStructLayout? Known(GoVersion version)
        => version.CompareTo(OldestSupported) >= 0 ? new GoStructLayout(0, 0, 0, 16, $"known layout of go{version}") : null;
}
