namespace Ebpf.ProtocolTracing.MySql;

/// <summary>Limits and privacy settings of the MySQL/MariaDB parser.</summary>
public sealed class MySqlParserOptions
{
    /// <summary>What a redacted value is replaced with.</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>
    /// Statement text kept per record, in bytes (default 4096); longer statements are cut and marked
    /// <see cref="MySqlRecord.StatementTruncated"/>.
    /// </summary>
    public int MaxStatementLength { get; set; } = 4096;

    /// <summary>Bytes kept of each string or blob parameter value (default 256); the full length is still recorded.</summary>
    public int MaxParameterValueLength { get; set; } = 256;

    /// <summary>Parameters decoded per <c>COM_STMT_EXECUTE</c> (default 64); the rest are counted but not decoded.</summary>
    public int MaxParameters { get; set; } = 64;

    /// <summary>Bytes kept of error messages, user names, database names and other text fields (default 512).</summary>
    public int MaxTextLength { get; set; } = 512;

    /// <summary>
    /// Bytes of one packet the parser looks at (default 64 KiB). A longer packet (a large statement, blob
    /// or row) is decoded from its first bytes and the rest is skipped as it arrives, so it is never
    /// buffered whole.
    /// </summary>
    public int MaxPacketBytes { get; set; } = 64 * 1024;

    /// <summary>Prepared statements remembered per connection (default 1024); beyond it the oldest is forgotten.</summary>
    public int MaxCachedStatements { get; set; } = 1024;

    /// <summary>
    /// Commands kept while they wait for their responses (default 256). MySQL answers in order, so more
    /// means responses were lost; the oldest is then emitted without a response, marked lost.
    /// </summary>
    public int MaxPendingCommands { get; set; } = 256;

    /// <summary>
    /// Whether secrets are hidden (default <see langword="true"/>): string literals in statements that set
    /// passwords (<c>IDENTIFIED BY</c>, <c>PASSWORD(…)</c>) are replaced by <see cref="RedactedValue"/>.
    /// Authentication data of the handshake is never kept, whatever this says.
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>Whether bound parameter values are decoded into records (default <see langword="true"/>); when off, only their types are kept.</summary>
    public bool CaptureParameterValues { get; set; } = true;

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxStatementLength);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxParameterValueLength);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxParameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTextLength, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPacketBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxPacketBytes, 16 * 1024 * 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCachedStatements, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingCommands, 1);
    }

    /// <summary>A copy, so later changes to the caller's instance do not reach a running parser.</summary>
    internal MySqlParserOptions Clone() => (MySqlParserOptions)MemberwiseClone();
}
