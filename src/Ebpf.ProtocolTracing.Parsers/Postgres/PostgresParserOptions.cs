namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>Limits and privacy settings of the PostgreSQL parser.</summary>
public sealed class PostgresParserOptions
{
    /// <summary>What a redacted credential is shown as.</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>
    /// Whether the contents of PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse are
    /// replaced by <see cref="RedactedValue"/> (default <see langword="true"/>). When on, those bytes are
    /// skipped unread and never reach a record.
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>Characters of statement text kept per record (default 4096); longer statements are cut and flagged.</summary>
    public int MaxStatementLength { get; set; } = 4096;

    /// <summary>Bound parameter values kept per record (default 64); the count is always recorded.</summary>
    public int MaxParameters { get; set; } = 64;

    /// <summary>Characters kept of one parameter value (default 256); binary values show at most half as many bytes in hex.</summary>
    public int MaxParameterLength { get; set; } = 256;

    /// <summary>
    /// Bytes of one message buffered to read its fields (default 64 KiB). The rest of a longer message is
    /// skipped as it arrives, so a large message is never buffered whole.
    /// </summary>
    public int MaxMessageHeadBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Frontend messages kept while they wait for their responses (default 1024). When more are pipelined,
    /// the oldest is emitted without its response and marked <see cref="ProtocolRecord.DataLost"/>.
    /// </summary>
    public int MaxPendingRequests { get; set; } = 1024;

    /// <summary>Named prepared statements and portals remembered per connection (default 1024); the oldest is forgotten first.</summary>
    public int MaxCachedStatements { get; set; } = 1024;

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxStatementLength);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxParameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxParameterLength, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageHeadBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingRequests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCachedStatements, 1);
    }

    /// <summary>A copy, so later changes to the caller's instance do not reach a running parser.</summary>
    internal PostgresParserOptions Clone() => new()
    {
        RedactSecrets = RedactSecrets,
        MaxStatementLength = MaxStatementLength,
        MaxParameters = MaxParameters,
        MaxParameterLength = MaxParameterLength,
        MaxMessageHeadBytes = MaxMessageHeadBytes,
        MaxPendingRequests = MaxPendingRequests,
        MaxCachedStatements = MaxCachedStatements,
    };
}
