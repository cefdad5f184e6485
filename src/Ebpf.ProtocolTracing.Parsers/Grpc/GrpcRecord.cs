using System.Globalization;
using System.Text;
using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Grpc;

/// <summary>
/// One gRPC call over HTTP/2 — unary or streaming — from its request headers to its trailers: the
/// method, the status, how many messages went each way and the first of them.
/// </summary>
/// <remarks>
/// A sibling of <see cref="HttpRecord"/>: HTTP/2 streams whose content-type is <c>application/grpc</c>
/// become a <see cref="GrpcRecord"/>, all others an <see cref="HttpRecord"/> with version <c>HTTP/2</c>.
/// </remarks>
public sealed record GrpcRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "grpc";

    /// <summary>The request path, <c>/package.Service/Method</c>; <see langword="null"/> when not captured or unknown.</summary>
    public string? Path { get; init; }

    /// <summary>The fully qualified service, e.g. <c>helloworld.Greeter</c>; <see langword="null"/> when the path is unknown.</summary>
    public string? Service { get; init; }

    /// <summary>The method name, e.g. <c>SayHello</c>; <see langword="null"/> when the path is unknown.</summary>
    public string? Method { get; init; }

    /// <summary>The <c>:authority</c> of the request.</summary>
    public string? Authority { get; init; }

    /// <summary>The HTTP/2 stream the call ran on.</summary>
    public int StreamId { get; init; }

    /// <summary>The HTTP status of the response headers (200 for any call that reached the service).</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The <c>grpc-status</c> code (0 OK, 1 CANCELLED, … 16 UNAUTHENTICATED); <see langword="null"/> without one.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The <c>grpc-message</c>, percent-decoded.</summary>
    public string? StatusMessage { get; init; }

    /// <summary>The RST_STREAM or GOAWAY error that ended the call early, e.g. <c>CANCEL</c>; <see langword="null"/> when it ended normally.</summary>
    public string? ResetError { get; init; }

    /// <summary>Request headers (metadata and pseudo-headers; secrets redacted unless disabled).</summary>
    public HttpHeaders RequestHeaders { get; init; } = HttpHeaders.Empty;

    /// <summary>Response headers.</summary>
    public HttpHeaders ResponseHeaders { get; init; } = HttpHeaders.Empty;

    /// <summary>Response trailers (where <c>grpc-status</c> normally travels).</summary>
    public HttpHeaders Trailers { get; init; } = HttpHeaders.Empty;

    /// <summary>Messages the client sent.</summary>
    public int RequestMessageCount { get; init; }

    /// <summary>Messages the server sent.</summary>
    public int ResponseMessageCount { get; init; }

    /// <summary>The first request messages, at most <see cref="Http2.Http2ParserOptions.MaxGrpcMessagesKept"/>.</summary>
    public IReadOnlyList<GrpcMessage> RequestMessages { get; init; } = [];

    /// <summary>The first response messages, at most <see cref="Http2.Http2ParserOptions.MaxGrpcMessagesKept"/>.</summary>
    public IReadOnlyList<GrpcMessage> ResponseMessages { get; init; } = [];

    /// <summary>What kind of call it looked like, from the message counts (a schema would say for sure).</summary>
    public GrpcCallKind Kind => (RequestMessageCount > 1, ResponseMessageCount > 1) switch
    {
        (false, false) => GrpcCallKind.Unary,
        (false, true) => GrpcCallKind.ServerStreaming,
        (true, false) => GrpcCallKind.ClientStreaming,
        _ => GrpcCallKind.BidiStreaming,
    };

    /// <summary>The name of <see cref="StatusCode"/>, e.g. <c>OK</c> or <c>NOT_FOUND</c>.</summary>
    public string? StatusName => StatusCode is { } code ? GrpcStatusNames.NameOf(code) : null;

    /// <inheritdoc />
    public override string Operation => Method ?? "?";

    /// <inheritdoc />
    public override string? Resource => Path;

    /// <inheritdoc />
    public override string? Outcome => StatusName ?? ResetError ?? HttpStatus?.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override bool IsError => StatusCode is > 0 || (StatusCode is null && (ResetError is not null || HttpStatus is not (null or 200)));

    /// <summary>A one-line summary, e.g. <c>grpc /greet.Greeter/SayHello -> OK (1 / 1 messages) in 0.8 ms Client</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        text.Append("grpc ").Append(Path ?? "?").Append(" -> ").Append(Outcome ?? "(no response)");
        if (!string.IsNullOrEmpty(StatusMessage))
        {
            text.Append(" \"").Append(StatusMessage).Append('"');
        }

        text.Append(CultureInfo.InvariantCulture, $" ({RequestMessageCount} / {ResponseMessageCount} messages)");
        if (Latency is { } latency)
        {
            text.Append(CultureInfo.InvariantCulture, $" in {latency.TotalMilliseconds:0.###} ms");
        }

        text.Append(' ').Append(Role);
        if (DataLost)
        {
            text.Append(" [data lost]");
        }

        return text.ToString();
    }
}
