namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>One topic partition an exchange named, with what the request carried and the response said about it.</summary>
public sealed record KafkaPartition
{
    /// <summary>The topic's name; for versions that name topics by id, the id as a GUID string.</summary>
    public required string Topic { get; init; }

    /// <summary>The partition index; -1 when the exchange named the topic only (Metadata).</summary>
    public int Partition { get; init; } = -1;

    /// <summary>
    /// Records in the partition's record batches (Produce requests, Fetch responses), counted from the
    /// batch headers without decompressing; <see langword="null"/> when the exchange carries no records.
    /// </summary>
    public long? RecordCount { get; init; }

    /// <summary>Record batches seen for the partition (0 when none carried records).</summary>
    public int BatchCount { get; init; }

    /// <summary>The first batch's compression codec; <see langword="null"/> without batches.</summary>
    public KafkaCompression? Compression { get; init; }

    /// <summary>Whether the records are not in the magic 2 batch format (message sets v0/v1), so not counted.</summary>
    public bool LegacyMessageSet { get; init; }

    /// <summary>Fetch/ListOffsets/OffsetCommit: the offset the request or response named; Produce: the base offset assigned.</summary>
    public long? Offset { get; init; }

    /// <summary>The partition's error code in the response (0 is success); <see langword="null"/> without a response.</summary>
    public short? ErrorCode { get; init; }
}
