namespace Ebpf.ProtocolTracing.Metrics;

/// <summary>Keeps HTTP attribute values low-cardinality, as the semantic conventions ask.</summary>
internal static class HttpMethods
{
    /// <summary>The method if it is a known one, else <c>_OTHER</c> (garbage on the wire must not become a time series).</summary>
    public static string Normalize(string? method) => method switch
    {
        "GET" or "POST" or "PUT" or "DELETE" or "HEAD" or "OPTIONS" or "PATCH" or "CONNECT" or "TRACE" or "QUERY" => method,
        _ => "_OTHER",
    };

    /// <summary>The <c>network.protocol.version</c> for an HTTP version string, e.g. <c>1.1</c> for <c>HTTP/1.1</c>.</summary>
    public static string? ProtocolVersion(string? version) => version switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/1.0" => "1.0",
        "HTTP/2" or "HTTP/2.0" => "2",
        "HTTP/3" => "3",
        _ => null,
    };
}
