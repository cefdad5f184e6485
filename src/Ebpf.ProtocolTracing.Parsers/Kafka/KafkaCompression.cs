namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// The compression codec of a record batch: the low three bits of its attributes
/// (https://kafka.apache.org/documentation/#recordbatch).
/// </summary>
public enum KafkaCompression : byte
{
    /// <summary>Records are not compressed.</summary>
    None = 0,

    /// <summary>gzip.</summary>
    Gzip = 1,

    /// <summary>Snappy.</summary>
    Snappy = 2,

    /// <summary>LZ4.</summary>
    Lz4 = 3,

    /// <summary>Zstandard.</summary>
    Zstd = 4,
}
