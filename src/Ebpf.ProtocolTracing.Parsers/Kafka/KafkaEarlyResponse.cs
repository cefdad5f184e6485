namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// A response parsed before the request it answers: the two directions are separate streams, and the request
/// stream can be behind (a broker's stream that starts after a size prefix read on its own waits for resync),
/// so the response's kept head is held until a request with its correlation id arrives.
/// </summary>
internal sealed class KafkaEarlyResponse
{
    public required int CorrelationId { get; init; }

    /// <summary>A copy of the kept head, correlation id first.</summary>
    public required byte[] Head { get; init; }

    /// <summary>The response's size, its size prefix included.</summary>
    public required long Size { get; init; }

    public required bool Truncated { get; init; }

    /// <summary>When the response's first byte was seen, taken when it was parsed.</summary>
    public required DateTimeOffset Time { get; init; }
}
