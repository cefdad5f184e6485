namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// Decodes the request bodies this parser understands, from the schemas at
/// https://kafka.apache.org/protocol#protocol_messages. A body cut by the head limit decodes as far as it goes.
/// </summary>
internal static class KafkaRequestDecoder
{
    public static void Decode(ref KafkaWireReader reader, KafkaExchange exchange, KafkaParserOptions options)
    {
        short v = exchange.ApiVersion;
        bool flex = KafkaFlexibleVersions.IsFlexible(exchange.ApiKey, v);
        int maxChars = options.MaxStringLength;
        switch (exchange.ApiKey)
        {
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
                if (v <= 3)
                {
                    string? key = reader.String(flex, maxChars);
                    sbyte keyType = v >= 1 ? reader.Int8() : (sbyte)0;
                    exchange.GroupId = keyType == 0 ? key : null;
                }
                else
                {
                    sbyte keyType = reader.Int8();
                    int keys = reader.ArrayLength(flex);
                    if (keys > 0 && keyType == 0)
                    {
                        exchange.GroupId = reader.String(flex, maxChars);
                    }
                }

                break;
            case KafkaApiKey.JoinGroup:
            case KafkaApiKey.Heartbeat:
            case KafkaApiKey.SyncGroup:
                exchange.GroupId = reader.String(flex, maxChars);
                break;
        }
    }

    private static void Produce(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        if (v >= 3)
        {
            reader.SkipString(flex); // transactional_id
        }

        exchange.Acks = reader.Int16();
        _ = reader.Int32(); // timeout_ms
        KafkaTopicArray.Read(ref reader, flex, v >= 13, maxChars, new KafkaRequestPartitions.Produce(exchange, flex));
    }

    private static void Fetch(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        if (v <= 14)
        {
            _ = reader.Int32(); // replica_id
        }

        reader.Skip(8); // max_wait_ms, min_bytes
        if (v >= 3)
        {
            _ = reader.Int32(); // max_bytes
        }

        if (v >= 4)
        {
            _ = reader.Int8(); // isolation_level
        }

        if (v >= 7)
        {
            reader.Skip(8); // session_id, session_epoch
        }

        KafkaTopicArray.Read(ref reader, flex, v >= 13, maxChars, new KafkaRequestPartitions.Fetch(exchange, v, flex));
    }

    private static void ListOffsets(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        _ = reader.Int32(); // replica_id
        if (v >= 2)
        {
            _ = reader.Int8(); // isolation_level
        }

        KafkaTopicArray.Read(ref reader, flex, topicById: false, maxChars, new KafkaRequestPartitions.ListOffsets(exchange, v, flex));
    }

    private static void Metadata(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        int topics = reader.ArrayLength(flex);
        for (int t = 0; t < topics && reader.Ok; t++)
        {
            string? byId = v >= 10 ? reader.TopicName(true, flex, maxChars) : null;
            string? name = reader.String(flex, maxChars) ?? byId;
            if (flex)
            {
                reader.SkipTaggedFields();
            }

            if (name is not null && reader.Ok)
            {
                exchange.AddPartition(new KafkaPartition { Topic = name });
            }
        }
    }

    private static void OffsetCommit(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        exchange.GroupId = reader.String(flex, maxChars);
        if (v >= 1)
        {
            _ = reader.Int32(); // generation_id
            reader.SkipString(flex); // member_id
        }

        if (v >= 7)
        {
            reader.SkipString(flex); // group_instance_id
        }

        if (v is >= 2 and <= 4)
        {
            _ = reader.Int64(); // retention_time_ms
        }

        KafkaTopicArray.Read(ref reader, flex, v >= 10, maxChars, new KafkaRequestPartitions.OffsetCommit(exchange, v, flex));
    }

    private static void OffsetFetch(ref KafkaWireReader reader, KafkaExchange exchange, short v, bool flex, int maxChars)
    {
        int groups = 1;
        if (v >= 8)
        {
            groups = reader.ArrayLength(flex);
        }

        for (int g = 0; g < groups && reader.Ok; g++)
        {
            string? group = reader.String(flex, maxChars);
            exchange.GroupId ??= group;
            if (v >= 9)
            {
                reader.SkipString(flex); // member_id
                _ = reader.Int32(); // member_epoch
            }

            KafkaTopicArray.Read(ref reader, flex, v >= 10, maxChars, new KafkaRequestPartitions.OffsetFetch(exchange));
            if (v >= 8 && flex)
            {
                reader.SkipTaggedFields();
            }
        }
    }
}
