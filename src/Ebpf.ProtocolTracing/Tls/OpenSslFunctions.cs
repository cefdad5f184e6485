namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// The functions probed for TLS plaintext and for tying it to its socket, and which BPF programs run
/// at their entry and return. Two kinds of files carry them:
/// <list type="bullet">
/// <item>OpenSSL's libssl (1.1 and 3.x), and executables that link OpenSSL or BoringSSL statically and
/// export it (node): <c>SSL_read</c>/<c>SSL_write</c>(<c>_ex</c>) for the plaintext, <c>SSL_set_bio</c>
/// for the tie of an <c>SSL*</c> to its BIOs;</item>
/// <item>.NET's OpenSSL shim (<c>libSystem.Security.Cryptography.Native.OpenSsl.so</c>), whose
/// <c>CryptoNative_BioWrite</c>/<c>CryptoNative_BioRead</c> move SslStream's ciphertext in and out of its
/// memory BIOs: their buffers are matched with the socket syscalls' to learn each BIO's socket.</item>
/// </list>
/// </summary>
internal static class OpenSslFunctions
{
    /// <summary>The BPF program run when every SSL read/write function returns.</summary>
    public const string ReturnProgram = "tls_return_probe";

    /// <summary>The file name of .NET's OpenSSL shim (shared framework or self-contained app directory).</summary>
    public const string DotNetShimFileName = "libSystem.Security.Cryptography.Native.OpenSsl.so";

    /// <summary>Function name → the BPF programs attached to it.</summary>
    public static readonly IReadOnlyDictionary<string, TlsFunctionProbe> Probes = new Dictionary<string, TlsFunctionProbe>(StringComparer.Ordinal)
    {
        ["SSL_write"] = new("tls_write_enter", ReturnProgram),
        ["SSL_read"] = new("tls_read_enter", ReturnProgram),
        ["SSL_write_ex"] = new("tls_write_ex_enter", ReturnProgram),
        ["SSL_read_ex"] = new("tls_read_ex_enter", ReturnProgram),
        ["SSL_set_bio"] = new("tls_set_bio_enter", null),
        ["CryptoNative_BioWrite"] = new("tls_bio_write_enter", null),
        ["CryptoNative_BioRead"] = new("tls_bio_read_enter", "tls_bio_read_return"),
    };

    /// <summary>
    /// The functions of <paramref name="elf"/> to probe, or an empty dictionary when it exports neither
    /// both SSL_write and SSL_read nor both shim BIO functions (a library that merely calls them imports
    /// them: undefined symbols are skipped).
    /// </summary>
    public static Dictionary<string, FunctionSymbol> Find(ElfFile elf)
    {
        var found = elf.FindFunctions([.. Probes.Keys], includeSymtab: false);
        var isOpenSsl = found.ContainsKey("SSL_write") && found.ContainsKey("SSL_read");
        var isDotNetShim = found.ContainsKey("CryptoNative_BioWrite") && found.ContainsKey("CryptoNative_BioRead");
        if (!isOpenSsl && !isDotNetShim)
        {
            found.Clear();
        }

        return found;
    }
}

/// <summary>The BPF programs of one probed function.</summary>
/// <param name="EntryProgram">Run at the function's entry.</param>
/// <param name="ReturnProgram">Run at its return, or <see langword="null"/> when the entry is enough.</param>
internal sealed record TlsFunctionProbe(string EntryProgram, string? ReturnProgram);
