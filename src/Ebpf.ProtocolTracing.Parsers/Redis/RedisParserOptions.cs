namespace Ebpf.ProtocolTracing.Redis;

/// <summary>Limits and privacy settings of the Redis (RESP2/RESP3) parser.</summary>
public sealed class RedisParserOptions
{
    /// <summary>The text a redacted argument gets.</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>Arguments kept per command, after its name (default 16); the real count is always recorded.</summary>
    public int MaxArguments { get; set; } = 16;

    /// <summary>Bytes kept of each argument (default 128); longer arguments are cut and their real size noted.</summary>
    public int MaxArgumentLength { get; set; } = 128;

    /// <summary>Bytes kept of a string or error reply (default 256); the real size is always recorded.</summary>
    public int MaxReplyLength { get; set; } = 256;

    /// <summary>
    /// Whether passwords are replaced by <see cref="RedactedValue"/> before they are ever decoded (default
    /// <see langword="true"/>): <c>AUTH</c>, <c>HELLO … AUTH user pass</c>, <c>MIGRATE … AUTH/AUTH2</c>,
    /// <c>CONFIG SET requirepass/masterauth/…</c> values and <c>ACL SETUSER</c> password rules.
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>Deepest nesting of aggregates accepted (default 32); deeper makes the stream invalid.</summary>
    public int MaxNestingDepth { get; set; } = 32;

    /// <summary>
    /// Longest header line, simple string, error or inline command accepted (default 64 KiB); longer makes
    /// the stream invalid.
    /// </summary>
    public int MaxLineBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Largest bulk string length accepted (default 512 MiB, Redis's own <c>proto-max-bulk-len</c>); a larger
    /// declared length makes the stream invalid. Bulk payloads are never buffered, whatever their size.
    /// </summary>
    public long MaxBulkLength { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// Most commands kept while they wait for their replies (default 1024). When more are pipelined, the
    /// oldest is emitted without its reply and marked <see cref="ProtocolRecord.DataLost"/>.
    /// </summary>
    public int MaxPendingCommands { get; set; } = 1024;

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxArguments);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxArgumentLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReplyLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNestingDepth, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxNestingDepth, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBulkLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingCommands, 1);
    }

    internal RedisParserOptions Clone() => new()
    {
        MaxArguments = MaxArguments,
        MaxArgumentLength = MaxArgumentLength,
        MaxReplyLength = MaxReplyLength,
        RedactSecrets = RedactSecrets,
        MaxNestingDepth = MaxNestingDepth,
        MaxLineBytes = MaxLineBytes,
        MaxBulkLength = MaxBulkLength,
        MaxPendingCommands = MaxPendingCommands,
    };
}
