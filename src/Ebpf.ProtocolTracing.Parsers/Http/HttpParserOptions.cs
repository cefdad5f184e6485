namespace Ebpf.ProtocolTracing.Http;

/// <summary>Limits and privacy settings of the HTTP/1.x parser.</summary>
public sealed class HttpParserOptions
{
    // Built on first use, thread-safely: connection parsers of one parser may run on several threads.
    private readonly Lazy<HttpSecretHeaderSet?> _activeSecretHeaders;

    /// <summary>Creates options with the defaults.</summary>
    public HttpParserOptions() => _activeSecretHeaders = new(() => HttpSecretHeaderSet.Create(RedactSecrets, SecretHeaders));

    /// <summary>The value a redacted header gets.</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>
    /// Body bytes kept per message (default 4096). The real body size is always recorded; bytes beyond
    /// this limit are counted and dropped, so a large body is never buffered.
    /// </summary>
    public int MaxBodyBytes { get; set; } = 4096;

    /// <summary>
    /// The header fields redacted unless taken out of <see cref="SecretHeaders"/>: credentials and session
    /// tokens that common servers, proxies and cloud APIs carry in headers.
    /// </summary>
    public static IReadOnlyList<string> DefaultSecretHeaders { get; } =
    [
        "Authorization",
        "Proxy-Authorization",
        "Cookie",
        "Set-Cookie",
        "X-Api-Key",
        "Api-Key",
        "X-Auth-Token",
        "X-Access-Token",
        "X-Amz-Security-Token",
        "X-Goog-Api-Key",
        "Ocp-Apim-Subscription-Key",
        "X-Vault-Token",
        "Private-Token",
        "X-CSRF-Token",
        "X-XSRF-Token",
    ];

    /// <summary>
    /// Whether the values of the header fields named in <see cref="SecretHeaders"/> are replaced by
    /// <see cref="RedactedValue"/> (default <see langword="true"/>).
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>
    /// The header field names (case-insensitive) whose values are redacted while <see cref="RedactSecrets"/>
    /// is on. Starts as <see cref="DefaultSecretHeaders"/>; add your own credential headers
    /// (<c>o.SecretHeaders.Add("X-Tenant-Key")</c>) or remove one to see its value
    /// (<c>o.SecretHeaders.Remove("Cookie")</c>). Read once, when the parser is created.
    /// </summary>
    public ISet<string> SecretHeaders { get; } = new HashSet<string>(DefaultSecretHeaders, StringComparer.OrdinalIgnoreCase);

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

    /// <summary>
    /// Most bytes (heads and kept bodies) of the requests one connection keeps while they wait for their
    /// responses (default 4 MiB). Without it a pipelining client could make a connection hold
    /// <see cref="MaxPendingRequests"/> × (<see cref="MaxHeaderBytes"/> + <see cref="MaxBodyBytes"/>),
    /// about 70 MB. When a new request would go over, the oldest waiting ones are emitted without their
    /// responses and marked <see cref="ProtocolRecord.DataLost"/>. At least <see cref="MaxHeaderBytes"/>.
    /// </summary>
    public long MaxPendingBytesPerConnection { get; set; } = 4 * 1024 * 1024;

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is negative or zero where it must be positive.</exception>
    /// <exception cref="ArgumentException">A name in <see cref="SecretHeaders"/> is not a header field name.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeaderBytes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeaderCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingRequests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingBytesPerConnection, MaxHeaderBytes);
        HttpSecretHeaderSet.Validate(SecretHeaders, nameof(SecretHeaders));
    }

    /// <summary>
    /// What the record builder redacts: <see cref="SecretHeaders"/> frozen at first use, or
    /// <see langword="null"/> when nothing is redacted. Only read on the parser's private copy, which never changes.
    /// </summary>
    internal HttpSecretHeaderSet? ActiveSecretHeaders => _activeSecretHeaders.Value;
}
