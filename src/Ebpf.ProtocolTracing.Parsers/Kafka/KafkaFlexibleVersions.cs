namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// The first "flexible" version of each decoded api (KIP-482): from it on, strings and arrays are
/// compact, tagged fields follow structures, the request header is v2 and the response header v1 —
/// except ApiVersions, whose response header stays v0 so any client can read it
/// (https://kafka.apache.org/protocol#protocol_messages).
/// </summary>
internal static class KafkaFlexibleVersions
{
    /// <summary>Whether the api's request and response at <paramref name="version"/> use the flexible encoding.</summary>
    public static bool IsFlexible(KafkaApiKey apiKey, short version) => FirstFlexible(apiKey) is { } first && version >= first;

    /// <summary>Whether the response header carries a tagged field section.</summary>
    public static bool ResponseHeaderHasTags(KafkaApiKey apiKey, short version) =>
        apiKey != KafkaApiKey.ApiVersions && IsFlexible(apiKey, version);

    /// <summary>Whether this parser decodes the api's bodies (the others are named, matched and sized only).</summary>
    public static bool IsDecoded(KafkaApiKey apiKey) => apiKey switch
    {
        KafkaApiKey.Produce or KafkaApiKey.Fetch or KafkaApiKey.ListOffsets or KafkaApiKey.Metadata or
        KafkaApiKey.OffsetCommit or KafkaApiKey.OffsetFetch or KafkaApiKey.FindCoordinator or KafkaApiKey.JoinGroup or
        KafkaApiKey.Heartbeat or KafkaApiKey.SyncGroup or KafkaApiKey.ApiVersions => true,
        _ => false,
    };

    private static short? FirstFlexible(KafkaApiKey apiKey) => apiKey switch
    {
        KafkaApiKey.Produce => 9,
        KafkaApiKey.Fetch => 12,
        KafkaApiKey.ListOffsets => 6,
        KafkaApiKey.Metadata => 9,
        KafkaApiKey.OffsetCommit => 8,
        KafkaApiKey.OffsetFetch => 6,
        KafkaApiKey.FindCoordinator => 3,
        KafkaApiKey.JoinGroup => 6,
        KafkaApiKey.Heartbeat => 4,
        KafkaApiKey.SyncGroup => 4,
        KafkaApiKey.ApiVersions => 3,
        _ => null,
    };
}
