using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// HTTP/1.0 and HTTP/1.1 (RFC 9112): frames requests and responses, pairs them in order (pipelining
/// included), and emits one <see cref="HttpRecord"/> per exchange.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Lines may end in CRLF or a bare LF. obs-fold (a field line starting with SP or HTAB) is tolerated
/// and joined to the previous value with one SP, except after Content-Length or Transfer-Encoding, where
/// the head is rejected because its framing would be ambiguous.</item>
/// <item>Body length follows RFC 9112 6.3: HEAD responses, 1xx, 204 and 304 have none; Transfer-Encoding
/// with a final <c>chunked</c> wins over Content-Length; a response with neither is read until the
/// connection closes; a request with neither has no body. Chunk extensions and trailer fields are
/// checked and skipped, not kept.</item>
/// <item>1xx responses other than 101 are interim: the final response pairs with the request. A 101, or
/// a 2xx to CONNECT, emits its record and ends parsing with <see cref="ParseStatus.Stop"/>.</item>
/// <item>Lost bytes inside a body of known remaining length are absorbed (the body is marked truncated,
/// its size still counts). Elsewhere the message in progress is emitted with
/// <see cref="ProtocolRecord.DataLost"/>, and pairing uses the times of the messages so that responses
/// of lost requests are emitted on their own instead of being paired with later requests.</item>
/// </list>
/// </remarks>
public sealed class HttpParser : IProtocolParser
{
    private readonly HttpParserOptions _options;
    private readonly HttpSharedStrings _sharedStrings = new();

    /// <summary>Creates the parser with default options.</summary>
    public HttpParser()
        : this(new HttpParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits and privacy settings; validated here and not read again after construction.</param>
    public HttpParser(HttpParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = new HttpParserOptions
        {
            MaxBodyBytes = options.MaxBodyBytes,
            RedactSecrets = options.RedactSecrets,
            MaxHeaderBytes = options.MaxHeaderBytes,
            MaxHeaderCount = options.MaxHeaderCount,
            MaxPendingRequests = options.MaxPendingRequests,
            MaxPendingBytesPerConnection = options.MaxPendingBytesPerConnection,
        };
        _options.SecretHeaders.Clear();
        _options.SecretHeaders.UnionWith(options.SecretHeaders);
    }

    /// <inheritdoc />
    public string Name => "http";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.Http;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => HttpInference.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new HttpConnectionParser(context, _options, _sharedStrings);
    }
}
