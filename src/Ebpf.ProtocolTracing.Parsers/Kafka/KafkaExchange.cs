namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>A request waiting for its response, and what both said so far.</summary>
internal sealed class KafkaExchange
{
    private readonly int _maxPartitions;

    public KafkaExchange(int maxPartitions)
    {
        _maxPartitions = maxPartitions;
    }

    public KafkaApiKey ApiKey { get; init; }

    public short ApiVersion { get; init; }

    public int CorrelationId { get; init; }

    public string? ClientId { get; init; }

    /// <summary>The stream the request came on (decides, when the role is unknown, which side asks).</summary>
    public StreamDirection Direction { get; init; }

    public long RequestPosition { get; init; }

    public long RequestSize { get; init; }

    public bool RequestTruncated { get; set; }

    public List<KafkaPartition> Partitions { get; } = [];

    public int PartitionCount { get; set; }

    public long RecordCount { get; set; }

    public string? GroupId { get; set; }

    public short? Acks { get; set; }

    public short? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public bool DataLost { get; set; }

    public void AddPartition(KafkaPartition partition)
    {
        PartitionCount++;
        RecordCount += partition.RecordCount ?? 0;
        if (Partitions.Count < _maxPartitions)
        {
            Partitions.Add(partition);
        }
    }

    /// <summary>Notes a response's error code: the first non-zero one wins, success only when none failed.</summary>
    public void NoteError(short code)
    {
        if (ErrorCode is null || (ErrorCode == 0 && code != 0))
        {
            ErrorCode = code;
        }
    }

    /// <summary>Applies a response's partition result to the request's entry for it, or adds it.</summary>
    public void ApplyPartitionResult(string topic, int partition, short errorCode, long? offset, BatchSummaryView records = default)
    {
        NoteError(errorCode);
        for (int i = 0; i < Partitions.Count; i++)
        {
            var known = Partitions[i];
            if (known.Partition == partition && string.Equals(known.Topic, topic, StringComparison.Ordinal))
            {
                Partitions[i] = known with
                {
                    ErrorCode = errorCode,
                    Offset = offset ?? known.Offset,
                    RecordCount = records.Present ? records.Records : known.RecordCount,
                    BatchCount = records.Present ? records.Batches : known.BatchCount,
                    Compression = records.Present ? records.Compression : known.Compression,
                };
                RecordCount += records.Present ? records.Records : 0;
                return;
            }
        }

        AddPartition(new KafkaPartition
        {
            Topic = topic,
            Partition = partition,
            ErrorCode = errorCode,
            Offset = offset,
            RecordCount = records.Present ? records.Records : null,
            BatchCount = records.Present ? records.Batches : 0,
            Compression = records.Present ? records.Compression : null,
            LegacyMessageSet = records.Legacy,
        });
    }

    /// <summary>A response's record batches for one partition.</summary>
    internal readonly record struct BatchSummaryView(bool Present, long Records, int Batches, KafkaCompression? Compression, bool Legacy);
}
