namespace Ebpf.ProtocolTracing.Grpc;

/// <summary>The four shapes of a gRPC call.</summary>
public enum GrpcCallKind
{
    /// <summary>One request message, one response message.</summary>
    Unary,

    /// <summary>One request message, a stream of responses.</summary>
    ServerStreaming,

    /// <summary>A stream of requests, one response.</summary>
    ClientStreaming,

    /// <summary>Streams both ways.</summary>
    BidiStreaming,
}
