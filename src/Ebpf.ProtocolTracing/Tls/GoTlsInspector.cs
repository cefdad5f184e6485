using Iced.Intel;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// Decides whether an executable is a Go program whose crypto/tls can be probed, and gathers what the
/// probes need: the two functions from <c>.symtab</c>, their RET instructions, the struct layout (DWARF,
/// else the known layout of its Go version) and the <c>*net.TCPConn</c> itab.
/// </summary>
internal static class GoTlsInspector
{
    /// <summary><c>crypto/tls.(*Conn).Write</c>, whose entry and returns carry outgoing plaintext.</summary>
    public const string WriteFunction = "crypto/tls.(*Conn).Write";

    /// <summary><c>crypto/tls.(*Conn).Read</c>, whose returns carry incoming plaintext.</summary>
    public const string ReadFunction = "crypto/tls.(*Conn).Read";

    private const ushort MachineX86_64 = 62;

    // The linker's name for the itab: "go.itab." until Go 1.19, "go:itab." since 1.20.
    private static readonly string[] TcpConnItabNames = ["go.itab.*net.TCPConn,net.Conn", "go:itab.*net.TCPConn,net.Conn"];

    // What the entry program reads (receiver, buffer, the goroutine, the stack), plus every other
    // register argument of Go's ABI, which the instructions skipped before the entry probe must not write.
    private static readonly Register[] EntryRegisters =
    [
        Register.RAX, Register.RBX, Register.RCX, Register.RDI, Register.RSI, Register.R8, Register.R9, Register.R10,
        Register.R11, Register.R14, Register.RSP,
    ];

    // Larger functions are not decoded (a defence against damaged symbol tables; these are a few KiB).
    private const ulong MaxFunctionBytes = 1024 * 1024;

    /// <summary>
    /// Inspects <paramref name="elf"/>. Returns <see langword="false"/> with a <see langword="null"/> reason when it is not
    /// a Go program (nothing to say), <see langword="false"/> with a reason when it is one that cannot be probed, and
    /// <see langword="true"/> with the target otherwise.
    /// </summary>
    public static bool TryInspect(ElfFile elf, MappedFile file, string openPath, out GoTlsTarget? target, out string? reason)
    {
        target = null;
        reason = null;
        if (!elf.HasSection(GoBuildInfo.SectionName))
        {
            return false;
        }

        var versionText = GoBuildInfo.ReadVersion(elf) ?? "an unknown Go version";
        if (elf.Machine != MachineX86_64)
        {
            reason = $"built with {versionText} for ELF machine {elf.Machine}: only x86-64 Go programs are supported";
            return false;
        }

        if (!GoVersion.TryParse(versionText, out var version))
        {
            reason = $"its Go version could not be read ({versionText})";
            return false;
        }

        if (version.CompareTo(GoStructLayout.OldestSupported) < 0)
        {
            reason = $"built with {versionText}: Go before 1.17 passes arguments on the stack (no register ABI), which is not supported";
            return false;
        }

        var functions = elf.FindFunctions([WriteFunction, ReadFunction], includeSymtab: true);
        if (!functions.TryGetValue(WriteFunction, out var write) || !functions.TryGetValue(ReadFunction, out var read))
        {
            // Most Go programs do not use TLS at all: only a binary with no symbol table at all is worth a word.
            if (elf.FindFunctions(["runtime.main"], includeSymtab: true).Count == 0)
            {
                reason = $"built with {versionText} and stripped (no .symtab): its TLS functions cannot be found; build without -ldflags=-s to trace it";
            }

            return false;
        }

        var writeProbes = FindProbePoints(elf, write);
        var readProbes = FindProbePoints(elf, read);
        if (writeProbes is null || readProbes is null)
        {
            reason = $"built with {versionText}: the RET instructions of crypto/tls.(*Conn).Read/Write could not be found by decoding them";
            return false;
        }

        var layout = GoDwarfLayoutReader.TryRead(elf) ?? GoStructLayout.Known(version);
        if (layout is null)
        {
            reason = $"built with {versionText}: no DWARF and no known struct layout for this version";
            return false;
        }

        var itabs = elf.FindObjects(TcpConnItabNames);
        var itab = 0UL;
        foreach (var name in TcpConnItabNames)
        {
            if (itabs.TryGetValue(name, out var symbol))
            {
                itab = symbol.Address;
            }
        }

        target = new GoTlsTarget(file, openPath, versionText, write, read, writeProbes, readProbes, layout, itab);
        return true;
    }

    /// <summary>Where <paramref name="function"/>'s probes go, or <see langword="null"/> when it cannot be decoded.</summary>
    private static GoFunctionProbes? FindProbePoints(ElfFile elf, FunctionSymbol function)
    {
        if (function.Size == 0 || function.Size > MaxFunctionBytes)
        {
            return null;
        }

        var code = new byte[function.Size];
        if (!elf.TryRead(function.FileOffset, code))
        {
            return null;
        }

        var returns = GoReturnFinder.FindReturns(code, function.Address);
        if (returns is null || returns.Count == 0)
        {
            return null;
        }

        var offsets = new List<long>(returns.Count);
        foreach (var offset in returns)
        {
            offsets.Add(function.FileOffset + offset);
        }

        var entry = UprobeEmulation.EmulatedEntryOffset(code, function.Address, EntryRegisters);
        return new GoFunctionProbes(entry, entry > 0 && IsStackCheckJump(code.AsSpan(entry), function.Address + (ulong)entry), offsets);
    }

    /// <summary>Whether <paramref name="code"/> starts with the <c>jbe</c> of Go's stack check (to <c>morestack</c> when CF or ZF is set).</summary>
    private static bool IsStackCheckJump(ReadOnlySpan<byte> code, ulong address) =>
        X86Code.TryDecodeFirst(code, address, out var instruction) && instruction.Code is Code.Jbe_rel8_64 or Code.Jbe_rel32_64;
}
