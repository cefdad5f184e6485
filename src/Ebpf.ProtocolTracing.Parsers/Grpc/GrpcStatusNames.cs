namespace Ebpf.ProtocolTracing.Grpc;

/// <summary>Names of the gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).</summary>
public static class GrpcStatusNames
{
    private static readonly string[] Names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    /// <summary>The name of <paramref name="code"/>, e.g. <c>NOT_FOUND</c>, or the number for codes gRPC does not define.</summary>
    /// <param name="code">A grpc-status value.</param>
    public static string NameOf(int code) =>
        (uint)code < (uint)Names.Length ? Names[code] : code.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
