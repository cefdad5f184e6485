namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>One partition entry of a topic array, read by the api's own fields.</summary>
internal interface IKafkaPartitionEntry
{
    /// <summary>Reads the entry the reader stands at (its tagged fields too, in flexible versions).</summary>
    /// <returns><see langword="false"/> to stop reading this topic's partitions.</returns>
    bool Read(ref KafkaWireReader reader, string? topic);
}

/// <summary>
/// The array most request and response bodies share: topics, each a name (or id) and an array of partition
/// entries, then the topic's tagged fields in flexible versions (https://kafka.apache.org/protocol#protocol_messages).
/// </summary>
internal static class KafkaTopicArray
{
    public static void Read<TEntry>(ref KafkaWireReader reader, bool flex, bool topicById, int maxChars, TEntry entry)
        where TEntry : struct, IKafkaPartitionEntry
    {
        int topics = reader.ArrayLength(flex);
        for (int t = 0; t < topics && reader.Ok; t++)
        {
            string? topic = reader.TopicName(topicById, flex, maxChars);
            int partitions = reader.ArrayLength(flex);
            for (int p = 0; p < partitions && reader.Ok; p++)
            {
                if (!entry.Read(ref reader, topic))
                {
                    break;
                }
            }

            if (flex)
            {
                reader.SkipTaggedFields();
            }
        }
    }
}
