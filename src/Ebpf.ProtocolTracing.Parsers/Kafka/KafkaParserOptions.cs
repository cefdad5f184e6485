namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>Limits and privacy settings of the Kafka parser.</summary>
public sealed class KafkaParserOptions
{
    /// <summary>The text a redacted value gets.</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>
    /// Bytes of a message's start kept to decode it (default 64 KiB); the rest (record data) is skipped as it
    /// arrives and never buffered. Partitions past this point are counted in <see cref="KafkaRecord.PartitionCount"/>
    /// only when the message is cut, and the record says so with <see cref="KafkaRecord.Truncated"/>.
    /// </summary>
    public int MaxMessageHeadBytes { get; set; } = 64 * 1024;

    /// <summary>Largest message size accepted (default 256 MiB); a larger length prefix makes the stream invalid.</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>Topic partitions kept per record (default 64); the real count is always recorded.</summary>
    public int MaxPartitions { get; set; } = 64;

    /// <summary>Characters kept of a client id, topic, group or error message (default 256).</summary>
    public int MaxStringLength { get; set; } = 256;

    /// <summary>
    /// Requests kept while they wait for their responses (default 1024). When more are in flight, the oldest
    /// is emitted without its response and marked <see cref="ProtocolRecord.DataLost"/>.
    /// </summary>
    public int MaxPendingRequests { get; set; } = 1024;

    /// <summary>
    /// Whether SASL exchanges are never decoded (default <see langword="true"/>): SaslAuthenticate carries
    /// passwords and tokens, so its bytes are skipped unread and the record shows only the api key and outcome.
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageHeadBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageBytes, 64);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxPartitions);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStringLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingRequests, 1);
    }

    internal KafkaParserOptions Clone() => new()
    {
        MaxMessageHeadBytes = MaxMessageHeadBytes,
        MaxMessageBytes = MaxMessageBytes,
        MaxPartitions = MaxPartitions,
        MaxStringLength = MaxStringLength,
        MaxPendingRequests = MaxPendingRequests,
        RedactSecrets = RedactSecrets,
    };
}
