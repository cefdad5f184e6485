using System.Globalization;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Integration.Tls;
using Ebpf.ProtocolTracing.Tls;

namespace Ebpf.ProtocolTracing.Tests.Tls;

/// <summary>
/// The Go binary inspection against programs built here with the installed Go toolchain (a stdlib-only
/// HTTPS server and client): symbols, RET instructions, the struct layout from DWARF and its fallback,
/// and the reasons a binary is refused.
/// </summary>
public sealed class GoTlsInspectorTests
{
    [Fact]
    public async Task A_go_program_with_symbols_and_dwarf_is_a_target_with_the_layout_read_from_dwarf()
    {
        var path = await GoTlsProgram.BuildAsync();
        using var elf = OpenElf(path);
        Assert.True(GoTlsInspector.TryInspect(elf, Identity(path), path, out var target, out var reason), reason);

        Assert.NotNull(target);
        Assert.StartsWith("go1.", target.GoVersion, StringComparison.Ordinal);
        Assert.Equal("DWARF", target.Layout.Source);
        // Checked against the Go sources: conn first in tls.Conn, fd first in TCPConn's conn, pfd first in netFD, Sysfd after the 16-byte fdMutex.
        Assert.Equal((0u, 0u, 0u, 16u), (target.Layout.ConnOffset, target.Layout.TcpConnFdOffset, target.Layout.NetFdPfdOffset, target.Layout.PfdSysfdOffset));

        var symbols = await NmAsync(path);
        Assert.Equal(symbols[GoTlsInspector.WriteFunction], target.Write.Address);
        Assert.Equal(symbols[GoTlsInspector.ReadFunction], target.Read.Address);
        var itabName = symbols.Keys.Single(name => name.EndsWith("itab.*net.TCPConn,net.Conn", StringComparison.Ordinal));
        Assert.Equal(symbols[itabName], target.TcpConnItab);

        Span<byte> instruction = stackalloc byte[1];
        foreach (var offset in target.WriteProbes.Returns.Concat(target.ReadProbes.Returns))
        {
            Assert.True(elf.TryRead(offset, instruction));
            Assert.Equal(0xC3, instruction[0]);
        }
    }

    [Fact]
    public async Task The_returns_found_are_those_a_disassembler_finds()
    {
        var path = await GoTlsProgram.BuildAsync();
        using var elf = OpenElf(path);
        Assert.True(GoTlsInspector.TryInspect(elf, Identity(path), path, out var target, out var reason), reason);

        foreach (var (function, returns) in new[] { (target!.Write, target.WriteProbes.Returns), (target.Read, target.ReadProbes.Returns) })
        {
            var expected = await ObjdumpReturnsAsync(path, function);
            var found = returns.Select(offset => function.Address + (ulong)(offset - function.FileOffset)).ToList();
            Assert.NotEmpty(found);
            Assert.Equal(expected, found);
        }
    }

    [Fact]
    public async Task Entry_probes_sit_on_the_stack_checks_conditional_jump_as_a_disassembler_shows_it()
    {
        var path = await GoTlsProgram.BuildAsync();
        using var elf = OpenElf(path);
        Assert.True(GoTlsInspector.TryInspect(elf, Identity(path), path, out var target, out var reason), reason);

        foreach (var (function, probes) in new[] { (target!.Write, target.WriteProbes), (target.Read, target.ReadProbes) })
        {
            var objdump = await ProcessRun.RunAsync(
                "objdump",
                ["-d", "--no-show-raw-insn", $"--start-address=0x{function.Address:x}", $"--stop-address=0x{function.Address + 32:x}", path],
                TestTimeouts.Process);
            var lines = objdump.StandardOutput.Split('\n').Where(l => l.Contains(":\t", StringComparison.Ordinal)).ToList();

            // Go's prologue: [lea r12, [rsp-N];] cmp rsp|r12, [r14+0x10]; jbe morestack — the probe goes on the jbe.
            var jump = lines.First(l => l.Split('\t')[1].StartsWith("jbe", StringComparison.Ordinal));
            var jumpAddress = ulong.Parse(jump.Split(':')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.Contains("0x10(%r14)", string.Join('\n', lines.TakeWhile(l => l != jump)), StringComparison.Ordinal);
            Assert.Equal(jumpAddress - function.Address, (ulong)probes.EntryOffset);
            Assert.True(probes.EntryOnStackCheckJump);
        }
    }

    [Fact]
    public async Task Without_dwarf_the_known_layout_of_the_go_version_is_used()
    {
        var path = await GoTlsProgram.BuildAsync("nodwarf");
        using var elf = OpenElf(path);
        Assert.Null(GoDwarfLayoutReader.TryRead(elf));
        Assert.True(GoTlsInspector.TryInspect(elf, Identity(path), path, out var target, out var reason), reason);

        Assert.StartsWith("known layout of go1.", target!.Layout.Source, StringComparison.Ordinal);
        Assert.Equal((0u, 0u, 0u, 16u), (target.Layout.ConnOffset, target.Layout.TcpConnFdOffset, target.Layout.NetFdPfdOffset, target.Layout.PfdSysfdOffset));
    }

    [Fact]
    public async Task A_position_independent_go_program_is_a_target_at_its_link_time_addresses()
    {
        var path = await GoTlsProgram.BuildAsync("pie");
        using var elf = OpenElf(path);
        Assert.True(GoTlsInspector.TryInspect(elf, Identity(path), path, out var target, out var reason), reason);

        var symbols = await NmAsync(path);
        Assert.Equal(symbols[GoTlsInspector.WriteFunction], target!.Write.Address);
        Assert.NotEqual(0UL, target.TcpConnItab);
        Assert.NotEmpty(target.ReadProbes.Returns);
    }

    [Fact]
    public async Task A_stripped_go_program_is_refused_with_a_reason()
    {
        var path = await GoTlsProgram.BuildAsync("stripped");
        using var elf = OpenElf(path);

        Assert.False(GoTlsInspector.TryInspect(elf, Identity(path), path, out var target, out var reason));
        Assert.Null(target);
        Assert.Contains("stripped", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_program_that_is_not_go_is_passed_over_silently()
    {
        var path = "/usr/bin/openssl";
        using var elf = OpenElf(path);

        Assert.False(GoTlsInspector.TryInspect(elf, Identity(path), path, out var target, out var reason));
        Assert.Null(target);
        Assert.Null(reason);
    }

    [Fact]
    public async Task The_build_version_is_read_from_the_buildinfo_section()
    {
        var path = await GoTlsProgram.BuildAsync();
        using var elf = OpenElf(path);
        var run = await ProcessRun.RunAsync("go", ["version", path], TestTimeouts.Process);

        var version = GoBuildInfo.ReadVersion(elf);
        Assert.NotNull(version);
        // "go version <path>" prints "<path>: go1.19.8".
        Assert.Equal($"{path}: {version}", run.StandardOutput.Trim());
    }

    private static ElfFile OpenElf(string path) => ElfFile.TryOpen(path) ?? throw new InvalidOperationException($"{path} is not a readable ELF file");

    private static MappedFile Identity(string path)
        => FileIdentity.TryGet(path, out var file) ? file : throw new InvalidOperationException($"cannot stat {path}");

    private static async Task<Dictionary<string, ulong>> NmAsync(string path)
    {
        var run = await ProcessRun.RunAsync("nm", [path], TestTimeouts.Process);
        var symbols = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in run.StandardOutput.Split('\n'))
        {
            // "<address> <type> <name>", where the name may contain spaces.
            var parts = line.Split(' ', 3);
            if (parts.Length == 3 && ulong.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address))
            {
                symbols.TryAdd(parts[2], address);
            }
        }

        return symbols;
    }

    private static async Task<List<ulong>> ObjdumpReturnsAsync(string path, FunctionSymbol function)
    {
        var start = string.Create(CultureInfo.InvariantCulture, $"--start-address=0x{function.Address:x}");
        var stop = string.Create(CultureInfo.InvariantCulture, $"--stop-address=0x{function.Address + function.Size:x}");
        var run = await ProcessRun.RunAsync("objdump", ["-d", "--no-show-raw-insn", start, stop, path], TestTimeouts.Process);
        Assert.True(run.ExitCode == 0, run.StandardError);
        var returns = new List<ulong>();
        foreach (var line in run.StandardOutput.Split('\n'))
        {
            // "  58a0f4:\tret    " (AT&T syntax: ret, retq or ret $0x8).
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !ulong.TryParse(line.AsSpan(0, colon).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address))
            {
                continue;
            }

            var mnemonic = line[(colon + 1)..].Trim().Split(' ', '\t')[0];
            if (mnemonic is "ret" or "retq")
            {
                returns.Add(address);
            }
        }

        return returns;
    }
}
