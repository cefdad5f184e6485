using Ebpf.ProtocolTracing.Kafka;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Kafka;

/// <summary>
/// Kafka exchanges built from the message schemas at https://kafka.apache.org/protocol#protocol_messages,
/// field by field in schema order, in the versions current clients send.
/// </summary>
internal static class KafkaSamples
{
    /// <summary>
    /// ApiVersions v3 as librdkafka sends it first on every connection, written out byte by byte:
    /// size 37; api key 18, version 3, correlation id 1, client id "rdkafka" (INT16 length), empty tags;
    /// client_software_name "librdkafka" and client_software_version "2.16.0" as COMPACT_STRINGs; empty tags.
    /// </summary>
    public static readonly byte[] ApiVersionsV3Request = Convert.FromHexString(
        "00000025" + "0012" + "0003" + "00000001" + "0007" + "72646b61666b61" + "00" +
        "0b" + "6c696272646b61666b61" + "07" + "322e31362e30" + "00");

    /// <summary>
    /// Its response: size 26; correlation id 1 and NO tagged fields (ApiVersions responses keep header v0);
    /// error_code 0; api_keys COMPACT_ARRAY of 2 (Produce 0–9, Metadata 0–12, each with empty tags);
    /// throttle_time_ms 0; empty tags.
    /// </summary>
    public static readonly byte[] ApiVersionsV3Response = Convert.FromHexString(
        "0000001a" + "00000001" + "0000" + "03" + "0000" + "0000" + "0009" + "00" + "0003" + "0000" + "000c" + "00" + "00000000" + "00");

    public static byte[] MetadataV12Request(int correlationId, string topic) =>
        KafkaWire.Request(3, 12, correlationId, "rdkafka", flexible: true)
            .Array(1, compact: true).Raw(new byte[16]).String(topic, compact: true).Tags(true)
            .Int8(1) // allow_auto_topic_creation
            .Int8(0) // include_topic_authorized_operations
            .Tags(true).Message();

    public static byte[] MetadataV12Response(int correlationId, string topic, int partitions, int topicError = 0) =>
        MetadataV12ResponseBody(KafkaWire.Response(correlationId, tagged: true), topic, partitions, topicError).Message();

    public static KafkaWire MetadataV12ResponseBody(KafkaWire w, string topic, int partitions, int topicError)
    {
        w.Int32(0) // throttle_time_ms
            .Array(1, true).Int32(0).String("127.0.0.1", true).Int32(9092).String(null, true).Tags(true)
            .String("cluster-1", true)
            .Int32(0) // controller_id
            .Array(1, true).Int16(topicError).String(topic, true).Raw(new byte[16]).Int8(0)
            .Array(partitions, true);
        for (int p = 0; p < partitions; p++)
        {
            w.Int16(0).Int32(p).Int32(0).Int32(0)
                .Array(1, true).Int32(0) // replica_nodes
                .Array(1, true).Int32(0) // isr_nodes
                .Array(0, true) // offline_replicas
                .Tags(true);
        }

        return w.Int32(int.MinValue).Tags(true).Tags(true);
    }

    /// <summary>Produce v7 (not flexible): one topic, one partition, one batch.</summary>
    public static byte[] ProduceV7Request(int correlationId, string topic, int partition, int records, int codec, short acks = -1) =>
        KafkaWire.Request(0, 7, correlationId, "producer-1", flexible: false)
            .String(null, false) // transactional_id
            .Int16(acks).Int32(30_000)
            .Array(1, false).String(topic, false)
            .Array(1, false).Int32(partition).Bytes(KafkaWire.RecordBatch(records, codec), false)
            .Message();

    public static byte[] ProduceV7Response(int correlationId, string topic, int partition, short error, long baseOffset) =>
        KafkaWire.Response(correlationId, tagged: false)
            .Array(1, false).String(topic, false)
            .Array(1, false).Int32(partition).Int16(error).Int64(baseOffset).Int64(-1).Int64(0)
            .Int32(0) // throttle_time_ms
            .Message();

    /// <summary>Produce v9 (flexible): two partitions, the second with two gzip batches.</summary>
    public static byte[] ProduceV9Request(int correlationId, string topic) =>
        KafkaWire.Request(0, 9, correlationId, "producer-1", flexible: true)
            .String(null, true).Int16(1).Int32(1500)
            .Array(1, true).String(topic, true)
            .Array(2, true)
            .Int32(0).Bytes(KafkaWire.RecordBatch(4, 0), true).Tags(true)
            .Int32(1).Bytes([.. KafkaWire.RecordBatch(2, 1), .. KafkaWire.RecordBatch(3, 1, baseOffset: 2)], true).Tags(true)
            .Tags(true)
            .Tags(true).Message();

    public static byte[] ProduceV9Response(int correlationId, string topic) =>
        KafkaWire.Response(correlationId, tagged: true)
            .Array(1, true).String(topic, true)
            .Array(2, true)
            .Int32(0).Int16(0).Int64(100).Int64(-1).Int64(0).Array(0, true).String(null, true).Tags(true)
            .Int32(1).Int16(6).Int64(-1).Int64(-1).Int64(0).Array(0, true).String("not the leader", true).Tags(true)
            .Tags(true)
            .Int32(0).Tags(true).Message();

    /// <summary>Fetch v12 (flexible): one partition; the response returns two zstd batches.</summary>
    public static byte[] FetchV12Request(int correlationId, string topic) =>
        KafkaWire.Request(1, 12, correlationId, "consumer-1", flexible: true)
            .Int32(-1).Int32(500).Int32(1).Int32(52_428_800).Int8(0).Int32(0).Int32(-1)
            .Array(1, true).String(topic, true)
            .Array(1, true).Int32(2).Int32(-1).Int64(17).Int32(-1).Int64(-1).Int32(1_048_576).Tags(true)
            .Tags(true)
            .Array(0, true) // forgotten_topics_data
            .String("", true) // rack_id
            .Tags(true).Message();

    public static byte[] FetchV12Response(int correlationId, string topic) =>
        KafkaWire.Response(correlationId, tagged: true)
            .Int32(0).Int16(0).Int32(12345)
            .Array(1, true).String(topic, true)
            .Array(1, true).Int32(2).Int16(0).Int64(30).Int64(30).Int64(0)
            .Array(0, true) // aborted_transactions
            .Int32(-1) // preferred_read_replica
            .Bytes([.. KafkaWire.RecordBatch(6, 4, 200, 17), .. KafkaWire.RecordBatch(7, 4, 300, 23)], true).Tags(true)
            .Tags(true)
            .Tags(true).Message();

    public static byte[] ListOffsetsV5Request(int correlationId, string topic) =>
        KafkaWire.Request(2, 5, correlationId, "consumer-1", flexible: false)
            .Int32(-1).Int8(0)
            .Array(1, false).String(topic, false).Array(1, false).Int32(0).Int32(-1).Int64(-2)
            .Message();

    public static byte[] ListOffsetsV5Response(int correlationId, string topic, short error) =>
        KafkaWire.Response(correlationId, false)
            .Int32(0)
            .Array(1, false).String(topic, false).Array(1, false).Int32(0).Int16(error).Int64(-1).Int64(5).Int32(0)
            .Message();

    public static byte[] FindCoordinatorV4Request(int correlationId, string group) =>
        KafkaWire.Request(10, 4, correlationId, "consumer-1", flexible: true)
            .Int8(0).Array(1, true).String(group, true).Tags(true).Message();

    public static byte[] FindCoordinatorV4Response(int correlationId, string group, short error) =>
        KafkaWire.Response(correlationId, true)
            .Int32(0).Array(1, true).String(group, true).Int32(0).String("127.0.0.1", true).Int32(9092).Int16(error).String(error == 0 ? null : "coordinator loading", true).Tags(true)
            .Tags(true).Message();

    public static byte[] JoinGroupV5Request(int correlationId, string group) =>
        KafkaWire.Request(11, 5, correlationId, "consumer-1", flexible: false)
            .String(group, false).Int32(45_000).Int32(300_000).String("", false).String(null, false).String("consumer", false)
            .Array(1, false).String("range", false).Bytes([0, 1, 2], false).Message();

    public static byte[] JoinGroupV5Response(int correlationId, short error) =>
        KafkaWire.Response(correlationId, false)
            .Int32(0).Int16(error).Int32(-1).String("", false).String("", false).String("member-1", false).Array(0, false).Message();

    public static byte[] HeartbeatV4Request(int correlationId, string group) =>
        KafkaWire.Request(12, 4, correlationId, "consumer-1", flexible: true)
            .String(group, true).Int32(3).String("member-1", true).String(null, true).Tags(true).Message();

    public static byte[] HeartbeatV4Response(int correlationId, short error) =>
        KafkaWire.Response(correlationId, true).Int32(0).Int16(error).Tags(true).Message();

    public static byte[] SyncGroupV3Request(int correlationId, string group) =>
        KafkaWire.Request(14, 3, correlationId, "consumer-1", flexible: false)
            .String(group, false).Int32(3).String("member-1", false).String(null, false).Array(0, false).Message();

    public static byte[] SyncGroupV3Response(int correlationId) =>
        KafkaWire.Response(correlationId, false).Int32(0).Int16(0).Bytes([], false).Message();

    public static byte[] OffsetCommitV8Request(int correlationId, string group, string topic) =>
        KafkaWire.Request(8, 8, correlationId, "consumer-1", flexible: true)
            .String(group, true).Int32(3).String("member-1", true).String(null, true)
            .Array(1, true).String(topic, true).Array(1, true).Int32(0).Int64(99).Int32(-1).String(null, true).Tags(true).Tags(true)
            .Tags(true).Message();

    public static byte[] OffsetCommitV8Response(int correlationId, string topic) =>
        KafkaWire.Response(correlationId, true)
            .Int32(0).Array(1, true).String(topic, true).Array(1, true).Int32(0).Int16(0).Tags(true).Tags(true).Tags(true).Message();

    public static byte[] OffsetFetchV7Request(int correlationId, string group, string topic) =>
        KafkaWire.Request(9, 7, correlationId, "consumer-1", flexible: true)
            .String(group, true).Array(1, true).String(topic, true).Array(2, true).Int32(0).Int32(1).Tags(true)
            .Int8(1).Tags(true).Message();

    public static byte[] OffsetFetchV7Response(int correlationId, string topic) =>
        KafkaWire.Response(correlationId, true)
            .Int32(0).Array(1, true).String(topic, true).Array(2, true)
            .Int32(0).Int64(99).Int32(-1).String("", true).Int16(0).Tags(true)
            .Int32(1).Int64(-1).Int32(-1).String("", true).Int16(0).Tags(true)
            .Tags(true)
            .Int16(0).Tags(true).Message();

    /// <summary>A conversation touching every decoded api: (direction, bytes) in delivery order.</summary>
    public static (StreamDirection Direction, byte[] Bytes)[] EveryApi() =>
    [
        (StreamDirection.Egress, ApiVersionsV3Request),
        (StreamDirection.Ingress, ApiVersionsV3Response),
        (StreamDirection.Egress, MetadataV12Request(2, "orders")),
        (StreamDirection.Ingress, MetadataV12Response(2, "orders", 3)),
        (StreamDirection.Egress, [.. ProduceV7Request(3, "orders", 1, 5, 3), .. ProduceV9Request(4, "events")]),
        (StreamDirection.Ingress, [.. ProduceV7Response(3, "orders", 1, 0, 42), .. ProduceV9Response(4, "events")]),
        (StreamDirection.Egress, FetchV12Request(5, "orders")),
        (StreamDirection.Ingress, FetchV12Response(5, "orders")),
        (StreamDirection.Egress, [.. ListOffsetsV5Request(6, "orders"), .. FindCoordinatorV4Request(7, "group-a"), .. JoinGroupV5Request(8, "group-a")]),
        (StreamDirection.Ingress, [.. ListOffsetsV5Response(6, "orders", 0), .. FindCoordinatorV4Response(7, "group-a", 0), .. JoinGroupV5Response(8, 79)]),
        (StreamDirection.Egress, [.. SyncGroupV3Request(9, "group-a"), .. HeartbeatV4Request(10, "group-a"), .. OffsetCommitV8Request(11, "group-a", "orders"), .. OffsetFetchV7Request(12, "group-a", "orders")]),
        (StreamDirection.Ingress, [.. SyncGroupV3Response(9), .. HeartbeatV4Response(10, 27), .. OffsetCommitV8Response(11, "orders"), .. OffsetFetchV7Response(12, "orders")]),
    ];

    public static ParserDriver Driver(KafkaParserOptions? options = null, bool multiSegment = false, ConnectionRole? role = null)
    {
        IProtocolParser parser = new KafkaParser(options ?? new KafkaParserOptions());
        return new ParserDriver(role is { } r ? new RoleOverrideParser(parser, r) : parser, multiSegment);
    }

    public static List<KafkaRecord> Records(this ParserDriver driver) => driver.Context.Records.Cast<KafkaRecord>().ToList();

    /// <summary>Everything a record says, with times, in one comparable line.</summary>
    public static string Describe(KafkaRecord r) =>
        $"{r} cid={r.ClientId} parts=[{string.Join(";", r.Partitions.Select(p => $"{p.Topic}/{p.Partition} n={p.RecordCount} b={p.BatchCount} c={p.Compression} o={p.Offset} e={p.ErrorCode}"))}] " +
        $"n={r.PartitionCount} recs={r.RecordCount} g={r.GroupId} acks={r.Acks} err={r.ErrorCode} msg={r.ErrorMessage} req={r.RequestSize} resp={r.ResponseSize} t={r.Truncated} lost={r.DataLost} at={r.RequestTime:O}/{r.ResponseTime:O}";
}
