using Ebpf.ProtocolTracing.Amqp;
using Ebpf.ProtocolTracing.Cassandra;
using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Http2;
using Ebpf.ProtocolTracing.Kafka;
using Ebpf.ProtocolTracing.Memcached;
using Ebpf.ProtocolTracing.MySql;
using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Postgres;
using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>The parsers that ship with the library, for use without dependency injection.</summary>
public static class BuiltInParsers
{
    /// <summary>Creates one instance of every built-in parser, each with its default options.</summary>
    public static IReadOnlyList<IProtocolParser> CreateAll() =>
    [
        new HttpParser(),
        new PostgresParser(),
        new MySqlParser(),
        new RedisParser(),
        new Http2Parser(),
        new NatsParser(),
        new MemcachedParser(),
        new KafkaParser(),
        new CassandraParser(),
        new DnsParser(),
        new AmqpParser(),
    ];
}
