using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Http2.Hpack;

namespace Ebpf.ProtocolTracing.Http2;

/// <summary>What one side sent on a stream: its header blocks, body and (for gRPC) messages.</summary>
internal sealed class Http2StreamHalf(int maxBodyBytes)
{
    /// <summary>The first non-informational header block (request or response headers).</summary>
    public List<HpackField>? Headers { get; set; }

    /// <summary>A header block after the headers: the trailers.</summary>
    public List<HpackField>? Trailers { get; set; }

    /// <summary>When the first HEADERS frame of this side crossed the syscall boundary.</summary>
    public DateTimeOffset? FirstHeadersTime { get; set; }

    /// <summary>The DATA payload as captured.</summary>
    public HttpBodyCapture Body { get; } = new(maxBodyBytes);

    /// <summary>gRPC messages, once the stream is known to carry gRPC.</summary>
    public GrpcMessageReader? Grpc { get; set; }

    /// <summary>Whether END_STREAM was seen.</summary>
    public bool Ended { get; set; }

    /// <summary>Whether any frame of this side was seen.</summary>
    public bool Seen { get; set; }

    /// <summary>Whether a header block carried <c>:method</c>.</summary>
    public bool IsRequest { get; set; }

    /// <summary>Whether a header block carried <c>:status</c>.</summary>
    public bool IsResponse { get; set; }
}
