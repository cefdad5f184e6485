namespace Ebpf.ProtocolTracing.Metrics;

/// <summary>Maps protocol names to OpenTelemetry's <c>db.system.name</c> values.</summary>
/// <remarks>See https://opentelemetry.io/docs/specs/semconv/registry/attributes/db/.</remarks>
internal static class DatabaseSystems
{
    /// <summary>The <c>db.system.name</c> of a protocol, or <see langword="null"/> when it is not a database's.</summary>
    public static string? NameOf(string protocol) => protocol switch
    {
        "postgres" => "postgresql",
        "mysql" => "mysql",
        "redis" => "redis",
        "cassandra" => "cassandra",
        "memcached" => "memcached",
        "mongodb" => "mongodb",
        _ => null,
    };
}
