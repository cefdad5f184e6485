namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// The OpenSSL functions whose plaintext is captured, and which BPF program enters each. The same
/// names are exported by libssl.so.1.1 and libssl.so.3 and by executables that link OpenSSL or
/// BoringSSL statically and export it (node).
/// </summary>
internal static class OpenSslFunctions
{
    /// <summary>The BPF program run when every function below returns.</summary>
    public const string ReturnProgram = "tls_return_probe";

    /// <summary>Function name → the BPF program run at its entry.</summary>
    public static readonly IReadOnlyDictionary<string, string> EntryPrograms = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SSL_write"] = "tls_write_enter",
        ["SSL_read"] = "tls_read_enter",
        ["SSL_write_ex"] = "tls_write_ex_enter",
        ["SSL_read_ex"] = "tls_read_ex_enter",
    };

    /// <summary>
    /// The functions of <paramref name="elf"/> to probe, or an empty dictionary when it does not export
    /// both SSL_write and SSL_read (a library that merely calls them imports them: undefined symbols are skipped).
    /// </summary>
    public static Dictionary<string, FunctionSymbol> Find(ElfFile elf)
    {
        var found = elf.FindFunctions([.. EntryPrograms.Keys], includeSymtab: false);
        if (!found.ContainsKey("SSL_write") || !found.ContainsKey("SSL_read"))
        {
            found.Clear();
        }

        return found;
    }
}
