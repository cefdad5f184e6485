namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// Decodes the response bodies this parser understands, in the shape the matching request's api key and
/// version fix (https://kafka.apache.org/protocol#protocol_messages): error codes, per-partition results
/// and, for Fetch, the record batches returned.
/// </summary>
internal static class KafkaResponseDecoder
{
    public static void Decode(ref KafkaWireReader reader, KafkaExchange exchange, KafkaParserOptions options)
    {
        short v = exchange.ApiVersion;
        bool flex = KafkaFlexibleVersions.IsFlexible(exchange.ApiKey, v);
        int maxChars = options.MaxStringLength;
        switch (exchange.ApiKey)
        {
            case KafkaApiKey.ApiVersions:
                // Brokers answer an ApiVersions version they do not support in v0, so only the leading
                // error code is read whatever the version.
                exchange.NoteError(reader.Int16());
                break;
            case KafkaApiKey.Produce:
                Produce(ref reader, exchange, v, flex, maxChars);
                break;
            case KafkaApiKey.Fetch:
                Fetch(ref reader, exchange, v, flex, maxChars);
                break;
            case KafkaApiKey.ListOffsets:
                ListOffsets(ref reader, exchange, v, flex, maxChars);
                break;
            case KafkaApiKey.Metadata:
                Metadata(ref reader, exchange, v, flex, maxChars);
                break;
            case KafkaApiKey.OffsetCommit:
                OffsetCommit(ref reader, exchange, v, flex, maxChars);
                break;
            case KafkaApiKey.OffsetFetch:
                OffsetFetch(ref reader, exchange, v, flex, maxChars);
                break;
            case KafkaApiKey.FindCoordinator:
                FindCoordinator(ref reader, exchange, v, flex, maxChars);
                break;
            case KafkaApiKey.JoinGroup:
                SkipThrottle(ref reader, v >= 2);
                exchange.NoteError(reader.Int16());
                break;
            case KafkaApiKey.Heartbeat:
            case KafkaApiKey.SyncGroup:
                SkipThrottle(ref reader, v >= 1);
                exchange.NoteError(reader.Int16());
                break;
        }
    }

    private static void SkipThrottle(ref KafkaWireReader reader, bool present)
    {
        if (present)
        {
            _ = reader.Int32(); // throttle_time_ms
        }
    }

    private static string? TopicName(ref KafkaWireReader reader, bool byId, bool flex, int maxChars)
    {
        if (!byId)
        {
            return reader.String(flex, maxChars);
        }

        var id = reader.Peek(16);
        reader.Skip(16);
        return id.Length == 16 ? new Guid(id, bigEndian: true).ToString() : null;
    }

    private static void Produce(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        int topics = reader.ArrayLength(flex);
        for (int t = 0; t < topics && reader.Ok; t++)
        {
            string? topic = TopicName(ref reader, v >= 13, flex, maxChars);
            int partitions = reader.ArrayLength(flex);
            for (int p = 0; p < partitions && reader.Ok; p++)
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

                if (flex)
                {
                    reader.SkipTaggedFields();
                }

                if (topic is not null && reader.Ok)
                {
                    exchange.ApplyPartitionResult(topic, index, error, baseOffset);
                }
            }

            if (flex)
            {
                reader.SkipTaggedFields();
            }
        }

        if (reader.Ok && exchange.ErrorCode is null)
        {
            exchange.NoteError(0);
        }
    }

    private static void Fetch(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        SkipThrottle(ref reader, v >= 1);
        if (v >= 7)
        {
            exchange.NoteError(reader.Int16());
            _ = reader.Int32(); // session_id
        }

        int topics = reader.ArrayLength(flex);
        for (int t = 0; t < topics && reader.Ok; t++)
        {
            string? topic = TopicName(ref reader, v >= 13, flex, maxChars);
            int partitions = reader.ArrayLength(flex);
            for (int p = 0; p < partitions && reader.Ok; p++)
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

                if (topic is not null)
                {
                    exchange.ApplyPartitionResult(topic, index, error, highWatermark, new KafkaExchange.BatchSummaryView(
                        true, batches.Records, batches.Batches, batches.Compression, batches.Legacy));
                }
            }

            if (flex)
            {
                reader.SkipTaggedFields();
            }
        }

        if (reader.Ok && exchange.ErrorCode is null)
        {
            exchange.NoteError(0);
        }
    }

    private static void ListOffsets(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        SkipThrottle(ref reader, v >= 2);
        int topics = reader.ArrayLength(flex);
        for (int t = 0; t < topics && reader.Ok; t++)
        {
            string? topic = reader.String(flex, maxChars);
            int partitions = reader.ArrayLength(flex);
            for (int p = 0; p < partitions && reader.Ok; p++)
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

                if (flex)
                {
                    reader.SkipTaggedFields();
                }

                if (topic is not null && reader.Ok)
                {
                    exchange.ApplyPartitionResult(topic, index, error, offset);
                }
            }

            if (flex)
            {
                reader.SkipTaggedFields();
            }
        }

        if (reader.Ok && exchange.ErrorCode is null)
        {
            exchange.NoteError(0);
        }
    }

    private static void Metadata(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        SkipThrottle(ref reader, v >= 3);
        int brokers = reader.ArrayLength(flex);
        for (int b = 0; b < brokers && reader.Ok; b++)
        {
            _ = reader.Int32(); // node_id
            reader.SkipString(flex); // host
            _ = reader.Int32(); // port
            if (v >= 1)
            {
                reader.SkipString(flex); // rack
            }

            if (flex)
            {
                reader.SkipTaggedFields();
            }
        }

        if (v >= 2)
        {
            reader.SkipString(flex); // cluster_id
        }

        if (v >= 1)
        {
            _ = reader.Int32(); // controller_id
        }

        // The response names what exists: it replaces the topics the request listed.
        exchange.Partitions.Clear();
        exchange.PartitionCount = 0;
        int topics = reader.ArrayLength(flex);
        for (int t = 0; t < topics && reader.Ok; t++)
        {
            short topicError = reader.Int16();
            string? topic = reader.String(flex, maxChars);
            string? id = v >= 10 ? TopicName(ref reader, true, flex, maxChars) : null;
            topic ??= id;
            exchange.NoteError(topicError);
            if (v >= 1)
            {
                _ = reader.Boolean(); // is_internal
            }

            int partitions = reader.ArrayLength(flex);
            if (partitions <= 0 && topic is not null && reader.Ok)
            {
                exchange.AddPartition(new KafkaPartition { Topic = topic, ErrorCode = topicError });
            }

            for (int p = 0; p < partitions && reader.Ok; p++)
            {
                short error = reader.Int16();
                int index = reader.Int32();
                _ = reader.Int32(); // leader_id
                if (v >= 7)
                {
                    _ = reader.Int32(); // leader_epoch
                }

                reader.SkipInt32Array(flex); // replica_nodes
                reader.SkipInt32Array(flex); // isr_nodes
                if (v >= 5)
                {
                    reader.SkipInt32Array(flex); // offline_replicas
                }

                if (flex)
                {
                    reader.SkipTaggedFields();
                }

                if (topic is not null && reader.Ok)
                {
                    exchange.ApplyPartitionResult(topic, index, error, null);
                }
            }

            if (v >= 8)
            {
                _ = reader.Int32(); // topic_authorized_operations
            }

            if (flex)
            {
                reader.SkipTaggedFields();
            }
        }

        if (reader.Ok && exchange.ErrorCode is null)
        {
            exchange.NoteError(0);
        }
    }

    private static void OffsetCommit(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        SkipThrottle(ref reader, v >= 3);
        int topics = reader.ArrayLength(flex);
        for (int t = 0; t < topics && reader.Ok; t++)
        {
            string? topic = TopicName(ref reader, v >= 10, flex, maxChars);
            int partitions = reader.ArrayLength(flex);
            for (int p = 0; p < partitions && reader.Ok; p++)
            {
                int index = reader.Int32();
                short error = reader.Int16();
                if (flex)
                {
                    reader.SkipTaggedFields();
                }

                if (topic is not null && reader.Ok)
                {
                    exchange.ApplyPartitionResult(topic, index, error, null);
                }
            }

            if (flex)
            {
                reader.SkipTaggedFields();
            }
        }

        if (reader.Ok && exchange.ErrorCode is null)
        {
            exchange.NoteError(0);
        }
    }

    private static void OffsetFetch(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        SkipThrottle(ref reader, v >= 3);
        int groups = 1;
        if (v >= 8)
        {
            groups = reader.ArrayLength(flex);
        }

        for (int g = 0; g < groups && reader.Ok; g++)
        {
            if (v >= 8)
            {
                reader.SkipString(flex); // group_id
            }

            int topics = reader.ArrayLength(flex);
            for (int t = 0; t < topics && reader.Ok; t++)
            {
                string? topic = TopicName(ref reader, v >= 10, flex, maxChars);
                int partitions = reader.ArrayLength(flex);
                for (int p = 0; p < partitions && reader.Ok; p++)
                {
                    int index = reader.Int32();
                    long offset = reader.Int64();
                    if (v >= 5)
                    {
                        _ = reader.Int32(); // committed_leader_epoch
                    }

                    reader.SkipString(flex); // metadata
                    short error = reader.Int16();
                    if (flex)
                    {
                        reader.SkipTaggedFields();
                    }

                    if (topic is not null && reader.Ok)
                    {
                        exchange.ApplyPartitionResult(topic, index, error, offset);
                    }
                }

                if (flex)
                {
                    reader.SkipTaggedFields();
                }
            }

            if (v >= 2)
            {
                short groupError = reader.Int16();
                if (reader.Ok)
                {
                    exchange.NoteError(groupError);
                }
            }

            if (v >= 8 && flex)
            {
                reader.SkipTaggedFields();
            }
        }

        if (reader.Ok && exchange.ErrorCode is null)
        {
            exchange.NoteError(0);
        }
    }

    private static void FindCoordinator(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        SkipThrottle(ref reader, v >= 1);
        if (v <= 3)
        {
            exchange.NoteError(reader.Int16());
            if (v >= 1)
            {
                exchange.ErrorMessage = reader.String(flex, maxChars);
            }

            return;
        }

        int coordinators = reader.ArrayLength(flex);
        for (int c = 0; c < coordinators && reader.Ok; c++)
        {
            reader.SkipString(flex); // key
            _ = reader.Int32(); // node_id
            reader.SkipString(flex); // host
            _ = reader.Int32(); // port
            short error = reader.Int16();
            string? message = reader.String(flex, maxChars);
            if (flex)
            {
                reader.SkipTaggedFields();
            }

            if (reader.Ok)
            {
                exchange.NoteError(error);
                exchange.ErrorMessage ??= message;
            }
        }
    }
}
