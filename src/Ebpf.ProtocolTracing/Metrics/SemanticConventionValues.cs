namespace Ebpf.ProtocolTracing.Metrics;

/// <summary>
/// Maps what records say to OpenTelemetry semantic-convention attribute values, kept low-cardinality
/// as the conventions ask (https://opentelemetry.io/docs/specs/semconv/).
/// </summary>
public static class SemanticConventionValues
{
    /// <summary>The <c>db.system.name</c> of a protocol (e.g. <c>postgresql</c> for <c>postgres</c>), or <see langword="null"/> when it is not a database's.</summary>
    /// <param name="protocol">A record's <see cref="ProtocolRecord.Protocol"/>.</param>
    public static string? DbSystemName(string protocol) => protocol switch
    {
        "postgres" => "postgresql",
        "mysql" => "mysql",
        "redis" => "redis",
        "cassandra" => "cassandra",
        "memcached" => "memcached",
        "mongodb" => "mongodb",
        _ => null,
    };

    /// <summary>The <c>http.request.method</c>: the method if it is a known one, else <c>_OTHER</c> (garbage on the wire must not become a time series).</summary>
    /// <param name="method">The request method as seen.</param>
    public static string HttpRequestMethod(string? method) => method switch
    {
        "GET" or "POST" or "PUT" or "DELETE" or "HEAD" or "OPTIONS" or "PATCH" or "CONNECT" or "TRACE" or "QUERY" => method,
        _ => "_OTHER",
    };

    /// <summary>The <c>network.protocol.version</c> of an HTTP version, e.g. <c>1.1</c> for <c>HTTP/1.1</c>; <see langword="null"/> when unknown.</summary>
    /// <param name="version">The version as the record has it.</param>
    public static string? NetworkProtocolVersion(string? version) => version switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/1.0" => "1.0",
        "HTTP/2" or "HTTP/2.0" => "2",
        "HTTP/3" => "3",
        _ => null,
    };
}
