using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// HTTP/1.0 and HTTP/1.1 (RFC 9112): frames requests and responses, pairs them in order (pipelining
/// included), and emits one <see cref="HttpRecord"/> per exchange.
/// </summary>
public sealed class HttpParser : IProtocolParser
{
    private readonly HttpParserOptions _options;

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
        };
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
        return new HttpConnectionParser(context, _options);
    }
}
