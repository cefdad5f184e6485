namespace Ebpf.ProtocolTracing.Http;

/// <summary>Limits and privacy settings of the HTTP/1.x parser.</summary>
public sealed class HttpParserOptions
{
    /// <summary>The names whose values <see cref="RedactSecrets"/> hides.</summary>
    internal static readonly string[] SecretHeaderNames = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"];

    /// <summary>The value a redacted header gets.</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>
    /// Body bytes kept per message (default 4096). The real body size is always recorded; bytes beyond
    /// this limit are counted and dropped, so a large body is never buffered.
    /// </summary>
    public int MaxBodyBytes { get; set; } = 4096;

    /// <summary>
    /// Whether the values of <c>Authorization</c>, <c>Proxy-Authorization</c>, <c>Cookie</c> and
    /// <c>Set-Cookie</c> are replaced by <see cref="RedactedValue"/> (default <see langword="true"/>).
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>
    /// Longest accepted message head, start line and headers together (default 64 KiB); a longer head
    /// makes the stream invalid. It also bounds chunk trailers.
    /// </summary>
    public int MaxHeaderBytes { get; set; } = 64 * 1024;

    /// <summary>Most header fields accepted in one head (default 256); more makes the stream invalid.</summary>
    public int MaxHeaderCount { get; set; } = 256;

    /// <summary>
    /// Most requests kept while they wait for their responses (default 1024). When more are pipelined,
    /// the oldest is emitted without its response and marked <see cref="ProtocolRecord.DataLost"/>.
    /// </summary>
    public int MaxPendingRequests { get; set; } = 1024;

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is negative or zero where it must be positive.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeaderBytes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeaderCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingRequests, 1);
    }
}
