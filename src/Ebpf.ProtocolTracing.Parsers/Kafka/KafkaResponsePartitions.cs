namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>The partition results of the response bodies with topic arrays (https://kafka.apache.org/protocol#protocol_messages).</summary>
internal static class KafkaResponsePartitions
{
    /// <summary>Produce: the partition's error, base offset and, from v8, the error message.</summary>
    internal readonly struct Produce(KafkaExchange exchange, short v, bool flex, int maxChars) : IKafkaPartitionEntry
    {
        public bool Read(ref KafkaWireReader reader, string? topic)
        {
            int index = reader.Int32();
            short error = reader.Int16();
            long baseOffset = reader.Int64();
            if (v >= 2)
            {
                _ = reader.Int64(); // log_append_time_ms
            }

            if (v >= 5)
            {
                _ = reader.Int64(); // log_start_offset
            }

            if (v >= 8)
            {
                int recordErrors = reader.ArrayLength(flex);
                for (int e = 0; e < recordErrors && reader.Ok; e++)
                {
                    _ = reader.Int32(); // batch_index
                    reader.SkipString(flex); // batch_index_error_message
                    if (flex)
                    {
                        reader.SkipTaggedFields();
                    }
                }

                string? message = reader.String(flex, maxChars);
                exchange.ErrorMessage ??= message;
            }

            SkipTagsThenApply(ref reader, exchange, flex, topic, index, error, baseOffset);
            return true;
        }
    }

    /// <summary>Fetch: the partition's error, high watermark and the record batches returned.</summary>
    internal readonly struct Fetch(KafkaExchange exchange, short v, bool flex) : IKafkaPartitionEntry
    {
        public bool Read(ref KafkaWireReader reader, string? topic)
        {
            int index = reader.Int32();
            short error = reader.Int16();
            long highWatermark = reader.Int64();
            if (v >= 4)
            {
                _ = reader.Int64(); // last_stable_offset
            }

            if (v >= 5)
            {
                _ = reader.Int64(); // log_start_offset
            }

            if (v >= 4)
            {
                int aborted = reader.ArrayLength(flex);
                for (int a = 0; a < aborted && reader.Ok; a++)
                {
                    reader.Skip(16); // producer_id, first_offset
                    if (flex)
                    {
                        reader.SkipTaggedFields();
                    }
                }
            }

            if (v >= 11)
            {
                _ = reader.Int32(); // preferred_read_replica
            }

            int length = reader.BytesLength(flex);
            var batches = length > 0 ? KafkaRecordBatches.Summarize(reader.Peek(length)) : default;
            if (length > 0)
            {
                reader.Skip(length);
            }

            if (flex)
            {
                reader.SkipTaggedFields();
            }

            // Applied even when the head ends inside the batches: the partition and what was summarised are known.
            if (topic is not null)
            {
                exchange.ApplyPartitionResult(topic, index, error, highWatermark, new KafkaExchange.BatchSummaryView(
                    true, batches.Records, batches.Batches, batches.Compression, batches.Legacy));
            }

            return true;
        }
    }

    /// <summary>ListOffsets: the partition's error and offset (v0: the first of its offsets).</summary>
    internal readonly struct ListOffsets(KafkaExchange exchange, short v, bool flex) : IKafkaPartitionEntry
    {
        public bool Read(ref KafkaWireReader reader, string? topic)
        {
            int index = reader.Int32();
            short error = reader.Int16();
            long? offset = null;
            if (v == 0)
            {
                int offsets = reader.ArrayLength(flex);
                for (int o = 0; o < offsets && reader.Ok; o++)
                {
                    long value = reader.Int64();
                    offset ??= value;
                }
            }
            else
            {
                _ = reader.Int64(); // timestamp
                offset = reader.Int64();
            }

            if (v >= 4)
            {
                _ = reader.Int32(); // leader_epoch
            }

            SkipTagsThenApply(ref reader, exchange, flex, topic, index, error, offset);
            return true;
        }
    }

    /// <summary>OffsetCommit: the partition's error.</summary>
    internal readonly struct OffsetCommit(KafkaExchange exchange, bool flex) : IKafkaPartitionEntry
    {
        public bool Read(ref KafkaWireReader reader, string? topic)
        {
            int index = reader.Int32();
            short error = reader.Int16();
            SkipTagsThenApply(ref reader, exchange, flex, topic, index, error, null);
            return true;
        }
    }

    /// <summary>OffsetFetch: the partition's committed offset and error.</summary>
    internal readonly struct OffsetFetch(KafkaExchange exchange, short v, bool flex) : IKafkaPartitionEntry
    {
        public bool Read(ref KafkaWireReader reader, string? topic)
        {
            int index = reader.Int32();
            long offset = reader.Int64();
            if (v >= 5)
            {
                _ = reader.Int32(); // committed_leader_epoch
            }

            reader.SkipString(flex); // metadata
            short error = reader.Int16();
            SkipTagsThenApply(ref reader, exchange, flex, topic, index, error, offset);
            return true;
        }
    }

    private static void SkipTagsThenApply(ref KafkaWireReader reader, KafkaExchange exchange, bool flex, string? topic, int index, short error, long? offset)
    {
        if (flex)
        {
            reader.SkipTaggedFields();
        }

        if (topic is not null && reader.Ok)
        {
            exchange.ApplyPartitionResult(topic, index, error, offset);
        }
    }
}
