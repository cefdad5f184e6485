using System.Text;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>One HTTP/1.x exchange: a request and, when one was seen, its response.</summary>
/// <remarks>
/// When the request was not captured (tracing started mid-connection, or its bytes were lost) the
/// request fields are <see langword="null"/> and <see cref="ProtocolRecord.DataLost"/> is set; when the
/// response was not seen the response fields are <see langword="null"/>.
/// </remarks>
public sealed record HttpRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "http";

    /// <summary>The request method, e.g. <c>GET</c>; <c>?</c> when the request was lost.</summary>
    public override string Operation => Method ?? "?";

    /// <summary>The request target (path and query).</summary>
    public override string? Resource => Target;

    /// <summary>The status code.</summary>
    public override string? Outcome => StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A 5xx status.</summary>
    public override bool IsError => StatusCode >= 500;

    /// <summary>Request method, e.g. <c>GET</c>; <see langword="null"/> when the request was not captured.</summary>
    public string? Method { get; init; }

    /// <summary>Request target as sent, e.g. <c>/index.html?q=1</c>; <see langword="null"/> when the request was not captured.</summary>
    public string? Target { get; init; }

    /// <summary>Protocol version, e.g. <c>HTTP/1.1</c> (the request's; the response's when the request is unknown).</summary>
    public string? Version { get; init; }

    /// <summary>Request header fields (secrets redacted unless disabled).</summary>
    public HttpHeaders RequestHeaders { get; init; } = HttpHeaders.Empty;

    /// <summary>Request body bytes kept, at most <see cref="HttpParserOptions.MaxBodyBytes"/>.</summary>
    public ReadOnlyMemory<byte> RequestBody { get; init; }

    /// <summary>Real size of the request body in bytes, also counting bytes not kept or not captured.</summary>
    public long RequestBodySize { get; init; }

    /// <summary>Whether <see cref="RequestBody"/> holds less than <see cref="RequestBodySize"/> bytes.</summary>
    public bool RequestBodyTruncated { get; init; }

    /// <summary>Response status code, e.g. 200; <see langword="null"/> without a response.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Response reason phrase, e.g. <c>OK</c> (may be empty); <see langword="null"/> without a response.</summary>
    public string? ReasonPhrase { get; init; }

    /// <summary>Response header fields (secrets redacted unless disabled).</summary>
    public HttpHeaders ResponseHeaders { get; init; } = HttpHeaders.Empty;

    /// <summary>Response body bytes kept, at most <see cref="HttpParserOptions.MaxBodyBytes"/>.</summary>
    public ReadOnlyMemory<byte> ResponseBody { get; init; }

    /// <summary>Real size of the response body in bytes, also counting bytes not kept or not captured.</summary>
    public long ResponseBodySize { get; init; }

    /// <summary>Whether <see cref="ResponseBody"/> holds less than <see cref="ResponseBodySize"/> bytes.</summary>
    public bool ResponseBodyTruncated { get; init; }

    /// <summary>HTTP/2: the request's <c>:authority</c>; <see langword="null"/> for HTTP/1.x (see the Host header there).</summary>
    public string? Authority { get; init; }

    /// <summary>HTTP/2: the request's <c>:scheme</c>; <see langword="null"/> for HTTP/1.x.</summary>
    public string? Scheme { get; init; }

    /// <summary>HTTP/2: the stream the exchange ran on; <see langword="null"/> for HTTP/1.x.</summary>
    public int? StreamId { get; init; }

    /// <summary>HTTP/2: the RST_STREAM or GOAWAY error that ended the stream early, e.g. <c>CANCEL</c>; otherwise <see langword="null"/>.</summary>
    public string? ResetError { get; init; }

    /// <summary>Trailer fields sent after the response body (HTTP/2 trailers), secrets redacted unless disabled.</summary>
    public HttpHeaders ResponseTrailers { get; init; } = HttpHeaders.Empty;

    /// <summary>A one-line summary, e.g. <c>http GET /a HTTP/1.1 -> 200 OK (12 B / 340 B) in 1.2 ms</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        text.Append("http ");
        text.Append(Method ?? "?").Append(' ').Append(Target ?? "?").Append(' ').Append(Version ?? "?");
        text.Append(" -> ");
        if (StatusCode is { } status)
        {
            text.Append(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(ReasonPhrase))
            {
                text.Append(' ').Append(ReasonPhrase);
            }
        }
        else
        {
            text.Append("(no response)");
        }

        text.Append(System.Globalization.CultureInfo.InvariantCulture, $" ({RequestBodySize} B / {ResponseBodySize} B)");
        if (Latency is { } latency)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $" in {latency.TotalMilliseconds:0.###} ms");
        }

        text.Append(' ').Append(Role);
        if (DataLost)
        {
            text.Append(" [data lost]");
        }

        return text.ToString();
    }
}
