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

    /// <summary>A response read to its end with no error named succeeded.</summary>
    private static void SucceededUnlessFailed(ref KafkaWireReader reader, KafkaExchange exchange)
    {
        if (reader.Ok && exchange.ErrorCode is null)
        {
            exchange.NoteError(0);
        }
    }

    private static void SkipThrottle(ref KafkaWireReader reader, bool present)
    {
        if (present)
        {
            _ = reader.Int32(); // throttle_time_ms
        }
    }

    private static void Produce(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        KafkaTopicArray.Read(ref reader, flex, v >= 13, maxChars, new KafkaResponsePartitions.Produce(exchange, v, flex, maxChars));
        SucceededUnlessFailed(ref reader, exchange);
    }

    private static void Fetch(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        SkipThrottle(ref reader, v >= 1);
        if (v >= 7)
        {
            exchange.NoteError(reader.Int16());
            _ = reader.Int32(); // session_id
        }

        KafkaTopicArray.Read(ref reader, flex, v >= 13, maxChars, new KafkaResponsePartitions.Fetch(exchange, v, flex));
        SucceededUnlessFailed(ref reader, exchange);
    }

    private static void ListOffsets(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        SkipThrottle(ref reader, v >= 2);
        KafkaTopicArray.Read(ref reader, flex, topicById: false, maxChars, new KafkaResponsePartitions.ListOffsets(exchange, v, flex));
        SucceededUnlessFailed(ref reader, exchange);
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
            string? id = v >= 10 ? reader.TopicName(true, flex, maxChars) : null;
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

        SucceededUnlessFailed(ref reader, exchange);
    }

    private static void OffsetCommit(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        SkipThrottle(ref reader, v >= 3);
        KafkaTopicArray.Read(ref reader, flex, v >= 10, maxChars, new KafkaResponsePartitions.OffsetCommit(exchange, flex));
        SucceededUnlessFailed(ref reader, exchange);
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

            KafkaTopicArray.Read(ref reader, flex, v >= 10, maxChars, new KafkaResponsePartitions.OffsetFetch(exchange, v, flex));
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

        SucceededUnlessFailed(ref reader, exchange);
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
