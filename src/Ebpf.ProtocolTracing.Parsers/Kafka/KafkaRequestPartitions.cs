namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>The partition entries of the request bodies with topic arrays (https://kafka.apache.org/protocol#protocol_messages).</summary>
internal static class KafkaRequestPartitions
{
    /// <summary>Produce: the partition and its record batches, summarised by their headers.</summary>
    internal readonly struct Produce(KafkaExchange exchange, bool flex) : IKafkaPartitionEntry
    {
        public bool Read(ref KafkaWireReader reader, string? topic)
        {
            int index = reader.Int32();
            int length = reader.BytesLength(flex);
            var batches = length > 0 ? KafkaRecordBatches.Summarize(reader.Peek(length)) : default;
            if (length > 0)
            {
                reader.Skip(length);
            }

            if (topic is null)
            {
                return false;
            }

            exchange.AddPartition(new KafkaPartition
            {
                Topic = topic,
                Partition = index,
                RecordCount = batches.Records,
                BatchCount = batches.Batches,
                Compression = batches.Compression,
                LegacyMessageSet = batches.Legacy,
            });
            if (flex)
            {
                reader.SkipTaggedFields();
            }

            return true;
        }
    }

    /// <summary>Fetch: the partition and the offset fetched from.</summary>
    internal readonly struct Fetch(KafkaExchange exchange, short v, bool flex) : IKafkaPartitionEntry
    {
        public bool Read(ref KafkaWireReader reader, string? topic)
        {
            int index = reader.Int32();
            if (v >= 9)
            {
                _ = reader.Int32(); // current_leader_epoch
            }

            long offset = reader.Int64();
            if (v >= 12)
            {
                _ = reader.Int32(); // last_fetched_epoch
            }

            if (v >= 5)
            {
                _ = reader.Int64(); // log_start_offset
            }

            _ = reader.Int32(); // partition_max_bytes
            SkipTagsThenAdd(ref reader, exchange, flex, topic, index, offset);
            return true;
        }
    }

    /// <summary>ListOffsets: the partition and the timestamp asked for (-1 latest, -2 earliest, or a time in ms).</summary>
    internal readonly struct ListOffsets(KafkaExchange exchange, short v, bool flex) : IKafkaPartitionEntry
    {
        public bool Read(ref KafkaWireReader reader, string? topic)
        {
            int index = reader.Int32();
            if (v >= 4)
            {
                _ = reader.Int32(); // current_leader_epoch
            }

            long timestamp = reader.Int64();
            if (v == 0)
            {
                _ = reader.Int32(); // max_num_offsets
            }

            SkipTagsThenAdd(ref reader, exchange, flex, topic, index, timestamp);
            return true;
        }
    }

    /// <summary>OffsetCommit: the partition and the offset committed.</summary>
    internal readonly struct OffsetCommit(KafkaExchange exchange, short v, bool flex) : IKafkaPartitionEntry
    {
        public bool Read(ref KafkaWireReader reader, string? topic)
        {
            int index = reader.Int32();
            long offset = reader.Int64();
            if (v >= 6)
            {
                _ = reader.Int32(); // committed_leader_epoch
            }

            if (v == 1)
            {
                _ = reader.Int64(); // commit_timestamp
            }

            reader.SkipString(flex); // committed_metadata
            SkipTagsThenAdd(ref reader, exchange, flex, topic, index, offset);
            return true;
        }
    }

    /// <summary>OffsetFetch: a bare partition index (an INT32 array, no tagged fields).</summary>
    internal readonly struct OffsetFetch(KafkaExchange exchange) : IKafkaPartitionEntry
    {
        public bool Read(ref KafkaWireReader reader, string? topic)
        {
            int index = reader.Int32();
            if (topic is not null && reader.Ok)
            {
                exchange.AddPartition(new KafkaPartition { Topic = topic, Partition = index });
            }

            return true;
        }
    }

    private static void SkipTagsThenAdd(ref KafkaWireReader reader, KafkaExchange exchange, bool flex, string? topic, int index, long offset)
    {
        if (flex)
        {
            reader.SkipTaggedFields();
        }

        if (topic is not null && reader.Ok)
        {
            exchange.AddPartition(new KafkaPartition { Topic = topic, Partition = index, Offset = offset });
        }
    }
}
