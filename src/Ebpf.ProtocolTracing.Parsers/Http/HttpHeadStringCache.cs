using System.Text;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// The strings of the previous head read on one stream, reused when the next head repeats them.
/// </summary>
/// <remarks>
/// On a keep-alive connection consecutive requests (and responses) mostly repeat the same fields in the
/// same order — Host, User-Agent, Accept, Server, Content-Type, Connection — so comparing the bytes with
/// the string already made is cheaper than decoding, and the record gets the same immutable string
/// instead of a new copy. Comparison is by <see cref="Ascii.Equals(ReadOnlySpan{byte}, ReadOnlySpan{char})"/>,
/// which fails on any non-ASCII byte, so a reused string always equals what decoding would have made.
/// </remarks>
internal sealed class HttpHeadStringCache
{
    /// <summary>The previous head's target.</summary>
    public string? Target;

    /// <summary>The previous head's reason phrase.</summary>
    public string? ReasonPhrase;

    /// <summary>The previous head's fields, in order.</summary>
    public KeyValuePair<string, string>[] Fields = [];

    /// <summary>The previous head's header list (over <see cref="Fields"/>), handed out again when the next head repeats every field.</summary>
    public HttpHeaders? Headers;

    /// <summary><paramref name="cached"/> when it spells <paramref name="bytes"/> exactly, else <paramref name="bytes"/> decoded as UTF-8.</summary>
    public static string Reuse(string? cached, ReadOnlySpan<byte> bytes) =>
        cached is not null && cached.Length == bytes.Length && Ascii.Equals(bytes, cached)
            ? cached
            : Encoding.UTF8.GetString(bytes);
}
