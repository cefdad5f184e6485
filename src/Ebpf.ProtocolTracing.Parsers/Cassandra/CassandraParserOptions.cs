namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>Limits and privacy settings of the Cassandra CQL parser.</summary>
public sealed class CassandraParserOptions
{
    /// <summary>The text redacted credentials are shown as.</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>Bytes of a frame body kept to decode it (default 64 KiB); the rest (row data) is skipped as it arrives.</summary>
    public int MaxFrameHeadBytes { get; set; } = 64 * 1024;

    /// <summary>Largest body length accepted (default 256 MiB, Cassandra's own limit); larger makes the stream invalid.</summary>
    public int MaxFrameBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>Characters kept of a query (default 4096).</summary>
    public int MaxQueryLength { get; set; } = 4096;

    /// <summary>Requests kept while they wait for their responses (default 1024); the oldest is emitted as lost past it.</summary>
    public int MaxPendingRequests { get; set; } = 1024;

    /// <summary>Prepared statements remembered per connection (default 1024), so EXECUTE records show the query text.</summary>
    public int MaxPreparedStatements { get; set; } = 1024;

    /// <summary>
    /// Whether AUTH_RESPONSE tokens (user name and password for PasswordAuthenticator) are never decoded
    /// (default <see langword="true"/>); records then carry <see cref="RedactedValue"/> as their query.
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameHeadBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueryLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingRequests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPreparedStatements, 1);
    }

    internal CassandraParserOptions Clone() => new()
    {
        MaxFrameHeadBytes = MaxFrameHeadBytes,
        MaxFrameBytes = MaxFrameBytes,
        MaxQueryLength = MaxQueryLength,
        MaxPendingRequests = MaxPendingRequests,
        MaxPreparedStatements = MaxPreparedStatements,
        RedactSecrets = RedactSecrets,
    };
}
