namespace Ebpf.ProtocolTracing.Nats;

/// <summary>One control line, and for messages the kept start of its header block and payload.</summary>
internal sealed class NatsFrame
{
    public NatsOperation Operation { get; init; }

    /// <summary>Where the control line starts in its stream.</summary>
    public long Position { get; set; }

    public string? Subject { get; init; }

    public string? ReplyTo { get; init; }

    public string? Sid { get; init; }

    public string? QueueGroup { get; init; }

    public long? MaxMessages { get; init; }

    /// <summary>Declared header bytes (HPUB/HMSG), else 0.</summary>
    public long HeaderSize { get; init; }

    /// <summary>Declared total bytes (headers and payload) of a message, or -1 for operations without one.</summary>
    public long TotalSize { get; init; } = -1;

    public bool HasMessage => TotalSize >= 0;

    public string? ErrorMessage { get; init; }

    /// <summary>What a CONNECT or INFO line's JSON said.</summary>
    public NatsJsonFields? Json { get; init; }

    public string? Payload { get; set; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; set; } = [];

    public string? HeaderStatus { get; set; }
}
