using System.Globalization;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tls;

namespace Ebpf.ProtocolTracing.Tests.Integration.Tls;

/// <summary>The ELF reader and the maps parser that find what to probe, checked against binutils and /proc.</summary>
public sealed class TlsTargetDiscoveryTests
{
    private const string SystemLibSsl = "/usr/lib/x86_64-linux-gnu/libssl.so.3";

    [Fact]
    public async Task Elf_reader_finds_the_exported_ssl_functions_where_readelf_does()
    {
        Assert.True(File.Exists(SystemLibSsl), $"{SystemLibSsl} is not installed: apt-get install libssl3");
        var readelf = await ProcessRun.RunAsync("readelf", ["--wide", "--dyn-syms", SystemLibSsl], TestTimeouts.Process);
        Assert.Equal(0, readelf.ExitCode);

        using var elf = ElfFile.TryOpen(SystemLibSsl);
        Assert.NotNull(elf);
        var found = OpenSslFunctions.Find(elf);
        foreach (var name in new[] { "SSL_write", "SSL_read", "SSL_write_ex", "SSL_read_ex" })
        {
            var line = readelf.StandardOutput.Split('\n').First(l => l.TrimEnd().EndsWith(" " + name, StringComparison.Ordinal) || l.Contains(" " + name + "@", StringComparison.Ordinal));
            var value = ulong.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.Equal(value, found[name].Address);
            Assert.True(found[name].FileOffset > 0);
        }
    }

    [Fact]
    public async Task Read_and_write_probes_of_the_system_libssl_sit_where_objdump_shows_their_calls_going()
    {
        using var elf = ElfFile.TryOpen(SystemLibSsl);
        Assert.NotNull(elf);
        var found = OpenSslFunctions.Find(elf);
        var sites = OpenSslProbePlacement.Place(elf, found);

        foreach (var (plain, ex, exEntry) in new[] { ("SSL_read", "SSL_read_ex", "tls_read_ex_enter"), ("SSL_write", "SSL_write_ex", "tls_write_ex_enter") })
        {
            var symbol = found[plain];
            var objdump = await ProcessRun.RunAsync(
                "objdump",
                ["-d", "--no-show-raw-insn", $"--start-address=0x{symbol.Address:x}", $"--stop-address=0x{symbol.Address + symbol.Size:x}", SystemLibSsl],
                TestTimeouts.Process);
            Assert.Equal(0, objdump.ExitCode);
            var instructions = objdump.StandardOutput.Split('\n').Where(l => l.Contains(":\t", StringComparison.Ordinal)).ToList();
            var firstInstruction = instructions[0].Split('\t')[1];
            if (firstInstruction.StartsWith("push", StringComparison.Ordinal))
            {
                // A build with frame pointers: the kernel emulates the first instruction, the wrappers keep their probes.
                Assert.Contains(sites, s => s.Name == plain && s.FileOffset == symbol.FileOffset);
                continue;
            }

            // Debian's build: the first call of the wrapper is the body both wrappers share.
            var call = instructions.First(l => l.Split('\t')[1].StartsWith("call", StringComparison.Ordinal)).Split('\t')[1];
            var body = ulong.Parse(call.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var site = Assert.Single(sites, s => s.Name.StartsWith(plain + " and " + ex, StringComparison.Ordinal));
            Assert.Equal(elf.AddressToFileOffset(body), site.FileOffset);
            Assert.Equal(exEntry, site.Probe.EntryProgram);
            Assert.DoesNotContain(sites, s => s.Name == plain || s.Name == ex);
        }

        Assert.Contains(sites, s => s.Name == "SSL_set_bio");
    }

    [Fact]
    public void The_dotnet_openssl_shim_of_this_runtime_is_a_target_with_its_bio_functions()
    {
        var shim = Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), OpenSslFunctions.DotNetShimFileName);
        Assert.True(File.Exists(shim), $"{shim} is missing");
        using var elf = ElfFile.TryOpen(shim);
        Assert.NotNull(elf);
        var found = OpenSslFunctions.Find(elf);
        Assert.Contains("CryptoNative_BioWrite", found.Keys);
        Assert.Contains("CryptoNative_BioRead", found.Keys);
        Assert.DoesNotContain("SSL_write", found.Keys);
        Assert.All(found.Values, symbol => Assert.True(symbol.FileOffset > 0));
    }

    [Fact]
    public void Elf_reader_rejects_what_is_not_elf_and_libraries_without_ssl()
    {
        var text = Path.GetTempFileName();
        try
        {
            File.WriteAllText(text, "not an ELF file at all, just some text that is long enough to hold a header.....");
            Assert.Null(ElfFile.TryOpen(text));
        }
        finally
        {
            File.Delete(text);
        }

        var libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        Assert.True(File.Exists(libc), "no libc.so.6 at the Debian path");
        using var elf = ElfFile.TryOpen(libc);
        Assert.NotNull(elf);
        Assert.Empty(OpenSslFunctions.Find(elf));
    }

    [Theory]
    [InlineData("7f1c2a000000-7f1c2a0a0000 r-xp 00020000 fd:01 1234567 /usr/lib/x86_64-linux-gnu/libssl.so.3", true, 0xfdUL, 1UL, 1234567UL, "/usr/lib/x86_64-linux-gnu/libssl.so.3")]
    [InlineData("55d0c0000000-55d0c0001000 r-xp 00000000 103:02 42 /opt/my app/bin/server", true, 0x103UL, 2UL, 42UL, "/opt/my app/bin/server")]
    [InlineData("7f1c2a000000-7f1c2a0a0000 r--p 00000000 fd:01 1234567 /usr/lib/x86_64-linux-gnu/libssl.so.3", false, 0UL, 0UL, 0UL, "")]
    [InlineData("7ffd6e5b3000-7ffd6e5d4000 rw-p 00000000 00:00 0 [stack]", false, 0UL, 0UL, 0UL, "")]
    [InlineData("7f00-7f10 r-xp 00000000 00:00 0", false, 0UL, 0UL, 0UL, "")]
    [InlineData("7f00-7f10 r-xp 00000000 fd:01 99 /tmp/gone.so (deleted)", false, 0UL, 0UL, 0UL, "")]
    public void Maps_lines_give_executable_files_with_their_identity(string line, bool expected, ulong major, ulong minor, ulong inode, string path)
    {
        Assert.Equal(expected, ProcessMaps.TryParseLine(line, out var file));
        if (expected)
        {
            Assert.Equal(new MappedFile(path, (major << 20) | minor, inode), file);
        }
    }

    [Fact]
    public void Stat_identity_matches_what_the_maps_of_this_process_show()
    {
        // This process maps libc (or the runtime's own libraries): each mapping's identity must equal stat's.
        var mapped = ProcessMaps.ReadExecutableFiles(Environment.ProcessId);
        Assert.NotEmpty(mapped);
        var checkedOne = false;
        foreach (var file in mapped)
        {
            if (FileIdentity.TryGet(file.Path, out var stat))
            {
                Assert.Equal(file.Identity, stat.Identity);
                checkedOne = true;
            }
        }

        Assert.True(checkedOne, "no mapped file could be stat'ed");
    }
}
