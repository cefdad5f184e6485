using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// One Kafka exchange: a request and the response with the same correlation id
/// (https://kafka.apache.org/protocol#protocol_messages).
/// </summary>
/// <remarks>
/// A request that gets no response by design (Produce with <c>acks=0</c>) is emitted at once with no
/// response. A request whose response was not seen before the connection ended has a
/// <see langword="null"/> <see cref="ProtocolRecord.ResponseTime"/>.
/// </remarks>
public sealed record KafkaRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "kafka";

    /// <summary>The request type.</summary>
    public required KafkaApiKey ApiKey { get; init; }

    /// <summary>The request type's name, e.g. <c>Produce</c> (<c>ApiKey(n)</c> for unknown keys).</summary>
    public string ApiName => KafkaNames.ApiName((short)ApiKey);

    /// <summary>The version of the request and response schema.</summary>
    public required short ApiVersion { get; init; }

    /// <summary>The id the client chose to match the response to the request.</summary>
    public required int CorrelationId { get; init; }

    /// <summary>The client id from the request header; <see langword="null"/> when absent.</summary>
    public string? ClientId { get; init; }

    /// <summary>
    /// The topic partitions the exchange named, at most <see cref="KafkaParserOptions.MaxPartitions"/>, with record
    /// counts and codecs (Produce, Fetch) and per-partition error codes from the response.
    /// </summary>
    public IReadOnlyList<KafkaPartition> Partitions { get; init; } = [];

    /// <summary>How many topic partitions the exchange named (<see cref="Partitions"/> may hold fewer).</summary>
    public int PartitionCount { get; init; }

    /// <summary>Records carried by the exchange (produced or fetched), summed over its record batches.</summary>
    public long RecordCount { get; init; }

    /// <summary>The consumer group (FindCoordinator key, JoinGroup, SyncGroup, Heartbeat, OffsetCommit, OffsetFetch).</summary>
    public string? GroupId { get; init; }

    /// <summary>Produce: the acknowledgements the producer asked for (0, 1 or -1 for all).</summary>
    public short? Acks { get; init; }

    /// <summary>
    /// The exchange's error code: the response's top-level code, or the first non-zero partition code;
    /// 0 on success; <see langword="null"/> without a response.
    /// </summary>
    public short? ErrorCode { get; init; }

    /// <summary>The error code's name (e.g. <c>UNKNOWN_TOPIC_OR_PARTITION</c>); <see langword="null"/> without a response.</summary>
    public string? ErrorName => ErrorCode is { } code ? KafkaNames.ErrorName(code) : null;

    /// <summary>An error message the response carried, when it has one.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Bytes the request took on the wire, length prefix included.</summary>
    public long RequestSize { get; init; }

    /// <summary>Bytes the response took on the wire, length prefix included; 0 without a response.</summary>
    public long ResponseSize { get; init; }

    /// <summary>Whether a message was longer than <see cref="KafkaParserOptions.MaxMessageHeadBytes"/>, so some fields may be missing.</summary>
    public bool Truncated { get; init; }

    /// <inheritdoc />
    public override string Operation => ApiName;

    /// <inheritdoc />
    public override string? Resource =>
        Partitions.Count > 0 ? (Partitions[0].Partition >= 0 ? $"{Partitions[0].Topic}/{Partitions[0].Partition}" : Partitions[0].Topic)
        : GroupId;

    /// <inheritdoc />
    public override string? Outcome => ErrorCode is null ? null : ErrorCode == 0 ? "OK" : ErrorName;

    /// <inheritdoc />
    public override bool IsError => ErrorCode is { } code && code != 0;

    /// <summary>A one-line summary, e.g. <c>kafka Produce v7 #3 orders/0 (5 records, lz4) -> OK in 1.2 ms Client</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        text.Append(CultureInfo.InvariantCulture, $"kafka {ApiName} v{ApiVersion} #{CorrelationId}");
        if (Resource is { } resource)
        {
            text.Append(' ').Append(resource);
        }

        if (PartitionCount > 1)
        {
            text.Append(CultureInfo.InvariantCulture, $" (+{PartitionCount - 1} partitions)");
        }

        if (RecordCount > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({RecordCount} records");
            if (Partitions.Count > 0 && Partitions[0].Compression is { } codec)
            {
                text.Append(", ").Append(codec.ToString().ToLowerInvariant());
            }

            text.Append(')');
        }

        text.Append(" -> ").Append(Outcome ?? "(no response)");
        if (Latency is { } latency)
        {
            text.Append(CultureInfo.InvariantCulture, $" in {latency.TotalMilliseconds:0.###} ms");
        }

        text.Append(' ').Append(Role);
        if (DataLost)
        {
            text.Append(" [data lost]");
        }

        return text.ToString();
    }
}
