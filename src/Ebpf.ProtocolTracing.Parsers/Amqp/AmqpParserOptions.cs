namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>Limits and privacy settings of the AMQP 0-9-1 parser.</summary>
public sealed class AmqpParserOptions
{
    /// <summary>The text a redacted credential gets.</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>Bytes of a message body kept as text (default 256); the real size is always recorded.</summary>
    public int MaxBodyBytes { get; set; } = 256;

    /// <summary>
    /// Largest method or content header frame read (default 1 MiB); such frames are read whole to be
    /// decoded, so a larger declared size makes the stream invalid. Body frames are never buffered,
    /// whatever their size.
    /// </summary>
    public int MaxMethodFrameBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest frame size accepted at all (default 128 MiB); a larger declared size makes the stream invalid.</summary>
    public long MaxFrameBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// Whether the SASL response of <c>connection.start-ok</c> and <c>connection.secure-ok</c> (a PLAIN
    /// response holds the user name and password), the challenge of <c>connection.secure</c> and the new
    /// secret of <c>connection.update-secret</c> are replaced by <see cref="RedactedValue"/> without ever
    /// being decoded (default <see langword="true"/>).
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>
    /// Most methods kept per connection while they wait for a reply or a publisher confirm (default
    /// 1024). When more wait, the oldest is emitted without one and marked <see cref="ProtocolRecord.DataLost"/>.
    /// </summary>
    public int MaxPendingOperations { get; set; } = 1024;

    /// <summary>Most channels tracked per connection (default 256); past that, the state of all of them is emitted as lost and begun again.</summary>
    public int MaxChannels { get; set; } = 256;

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMethodFrameBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameBytes, MaxMethodFrameBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingOperations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChannels, 1);
    }

    internal AmqpParserOptions Clone() => new()
    {
        MaxBodyBytes = MaxBodyBytes,
        MaxMethodFrameBytes = MaxMethodFrameBytes,
        MaxFrameBytes = MaxFrameBytes,
        RedactSecrets = RedactSecrets,
        MaxPendingOperations = MaxPendingOperations,
        MaxChannels = MaxChannels,
    };
}
