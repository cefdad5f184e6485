namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// Decides where the probes of an OpenSSL file go: on each function found, or — where OpenSSL's read
/// (write) wrappers start with an instruction the kernel single-steps and both call one body that starts
/// with an instruction it emulates — once on that body, with <c>SSL_read_ex</c>'s programs, for both
/// wrappers (see <see cref="OpenSslSharedBody"/>). Debian's and Ubuntu's libssl.so.3 are that case
/// (<c>SSL_read</c> starts with <c>sub rsp</c>, its body with <c>push</c>); builds with frame pointers
/// (node's static OpenSSL, .NET's shim) start every function with <c>push</c> and keep their probes.
/// </summary>
internal static class OpenSslProbePlacement
{
    private const ushort MachineX86_64 = 62;

    /// <summary>Bytes of a function read for decoding its start.</summary>
    private const int MaxCodeBytes = 512;

    /// <summary>The probe sites for <paramref name="functions"/> (from <see cref="OpenSslFunctions.Find"/>) of <paramref name="elf"/>.</summary>
    public static List<TlsProbeSite> Place(ElfFile elf, IReadOnlyDictionary<string, FunctionSymbol> functions)
    {
        var sites = new List<TlsProbeSite>(functions.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        if (elf.Machine == MachineX86_64)
        {
            PlaceOnSharedBody(elf, functions, "SSL_read", "SSL_read_ex", sites, placed);
            PlaceOnSharedBody(elf, functions, "SSL_write", "SSL_write_ex", sites, placed);
        }

        foreach (var (name, symbol) in functions)
        {
            if (!placed.Contains(name))
            {
                sites.Add(new TlsProbeSite(name, symbol.FileOffset, OpenSslFunctions.Probes[name]));
            }
        }

        return sites;
    }

    private static void PlaceOnSharedBody(
        ElfFile elf, IReadOnlyDictionary<string, FunctionSymbol> functions, string plainName, string exName, List<TlsProbeSite> sites, HashSet<string> placed)
    {
        if (!functions.TryGetValue(plainName, out var plain) || !functions.TryGetValue(exName, out var ex)
            || ReadStart(elf, plain.FileOffset, plain.Size) is not { } plainCode || ReadStart(elf, ex.FileOffset, ex.Size) is not { } exCode)
        {
            return;
        }

        if (UprobeEmulation.StartsWithEmulated(plainCode, plain.Address) && UprobeEmulation.StartsWithEmulated(exCode, ex.Address))
        {
            return;
        }

        if (OpenSslSharedBody.Find(plainCode, plain.Address, exCode, ex.Address) is not { } body)
        {
            return;
        }

        var bodyOffset = elf.AddressToFileOffset(body);
        if (bodyOffset <= 0 || ReadStart(elf, bodyOffset, size: 16) is not { } bodyCode || !UprobeEmulation.StartsWithEmulated(bodyCode, body))
        {
            return;
        }

        sites.Add(new TlsProbeSite($"{plainName} and {exName} (their shared body at 0x{body:x})", bodyOffset, OpenSslFunctions.Probes[exName]));
        placed.Add(plainName);
        placed.Add(exName);
    }

    private static byte[]? ReadStart(ElfFile elf, long fileOffset, ulong size)
    {
        var code = new byte[size is 0 or > MaxCodeBytes ? MaxCodeBytes : (int)size];
        return elf.TryRead(fileOffset, code) ? code : null;
    }
}
