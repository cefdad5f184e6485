namespace Ebpf.ProtocolTracing.Nats;

/// <summary>Limits and privacy settings of the NATS client protocol parser.</summary>
public sealed class NatsParserOptions
{
    /// <summary>The text a redacted credential gets.</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>Bytes of a message payload kept as text (default 256); the real size is always recorded.</summary>
    public int MaxPayloadBytes { get; set; } = 256;

    /// <summary>Bytes of an HPUB/HMSG header block kept and decoded (default 4 KiB); the real size is always recorded.</summary>
    public int MaxHeaderBytes { get; set; } = 4 * 1024;

    /// <summary>
    /// Longest protocol line accepted (default 64 KiB; INFO and CONNECT with a JWT are the long ones); a
    /// longer line makes the stream invalid.
    /// </summary>
    public int MaxLineBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Largest message size accepted (default 64 MiB, the most a server can be configured to allow); a
    /// larger declared size makes the stream invalid. Payloads are never buffered, whatever their size.
    /// </summary>
    public long MaxMessageBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Whether the credentials of a <c>CONNECT</c> (<c>user</c>, <c>pass</c>, <c>auth_token</c>, <c>jwt</c>,
    /// <c>sig</c>) are replaced by <see cref="RedactedValue"/> without ever being decoded (default <see langword="true"/>).
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>
    /// Most operations kept while they wait for their answer — a <c>PONG</c>, or <c>+OK</c>/<c>-ERR</c> in
    /// verbose mode (default 1024). When more wait, the oldest is emitted without one and marked
    /// <see cref="ProtocolRecord.DataLost"/>.
    /// </summary>
    public int MaxPendingOperations { get; set; } = 1024;

    /// <summary>Subscriptions remembered per connection so an <c>UNSUB</c> shows its subject (default 1024).</summary>
    public int MaxSubscriptions { get; set; } = 1024;

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxPayloadBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxHeaderBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingOperations, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxSubscriptions);
    }

    internal NatsParserOptions Clone() => new()
    {
        MaxPayloadBytes = MaxPayloadBytes,
        MaxHeaderBytes = MaxHeaderBytes,
        MaxLineBytes = MaxLineBytes,
        MaxMessageBytes = MaxMessageBytes,
        RedactSecrets = RedactSecrets,
        MaxPendingOperations = MaxPendingOperations,
        MaxSubscriptions = MaxSubscriptions,
    };
}
