namespace Ebpf.ProtocolTracing.Tls;

/// <summary>A Go executable whose crypto/tls is probed: everything the probes and the kernel's per-binary entry need.</summary>
/// <param name="File">The executable, as a process maps it (its inode keys the kernel's entry).</param>
/// <param name="OpenPath">The path to open it by from the tracer.</param>
/// <param name="GoVersion">The build version ("go1.19.8").</param>
/// <param name="Write"><c>crypto/tls.(*Conn).Write</c>.</param>
/// <param name="Read"><c>crypto/tls.(*Conn).Read</c>.</param>
/// <param name="WriteProbes">Where <see cref="Write"/>'s entry and return probes go.</param>
/// <param name="ReadProbes">Where <see cref="Read"/>'s entry and return probes go.</param>
/// <param name="Layout">Where the socket's fd is under a <c>*tls.Conn</c>.</param>
/// <param name="TcpConnItab">Link-time address of the <c>*net.TCPConn</c> → <c>net.Conn</c> itab, 0 when the symbol is missing (the check is then skipped).</param>
internal sealed record GoTlsTarget(
    MappedFile File,
    string OpenPath,
    string GoVersion,
    FunctionSymbol Write,
    FunctionSymbol Read,
    GoFunctionProbes WriteProbes,
    GoFunctionProbes ReadProbes,
    GoStructLayout Layout,
    ulong TcpConnItab);

/// <summary>Where one Go function's probes go.</summary>
/// <param name="EntryOffset">
/// Bytes from the function's start to the instruction the entry probe sits on: 0, or the conditional jump
/// of its stack check, which the kernel emulates (see <see cref="UprobeEmulation.EmulatedEntryOffset"/>).
/// </param>
/// <param name="EntryOnStackCheckJump">
/// The entry probe is on the stack check's <c>jbe</c>: its flags tell whether the call goes on or restarts after
/// growing the stack, so the one fire that goes on is known (Write's plaintext goes up there).
/// </param>
/// <param name="Returns">File offsets of the function's RET instructions.</param>
internal sealed record GoFunctionProbes(int EntryOffset, bool EntryOnStackCheckJump, IReadOnlyList<long> Returns);
