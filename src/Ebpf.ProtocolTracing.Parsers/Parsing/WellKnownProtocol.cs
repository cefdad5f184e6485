namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>
/// The protocols the kernel side can guess cheaply. Values match <c>enum trace_protocol</c> in
/// <c>native/bpf/include/trace_events.h</c>.
/// </summary>
public enum WellKnownProtocol : byte
{
    /// <summary>No guess; a parser that is not one of the built-in protocols (e.g. a host's custom parser).</summary>
    None = 0,

    /// <summary>HTTP/1.x.</summary>
    Http = 1,

    /// <summary>HTTP/2 (and gRPC over it).</summary>
    Http2 = 2,

    /// <summary>PostgreSQL frontend/backend protocol v3.</summary>
    Postgres = 3,

    /// <summary>MySQL/MariaDB client/server protocol.</summary>
    MySql = 4,

    /// <summary>Redis RESP2/RESP3.</summary>
    Redis = 5,

    /// <summary>Apache Kafka.</summary>
    Kafka = 6,

    /// <summary>NATS.</summary>
    Nats = 7,

    /// <summary>Cassandra CQL native protocol.</summary>
    Cassandra = 8,

    /// <summary>DNS.</summary>
    Dns = 9,

    /// <summary>AMQP 0-9-1.</summary>
    Amqp = 10,

    /// <summary>Memcached.</summary>
    Memcached = 11,

    /// <summary>Data captured because its port is configured as always captured.</summary>
    Forced = 63,
}
