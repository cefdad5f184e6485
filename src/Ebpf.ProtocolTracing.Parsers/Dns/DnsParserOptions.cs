namespace Ebpf.ProtocolTracing.Dns;

/// <summary>Limits and privacy settings of the DNS parser.</summary>
public sealed class DnsParserOptions
{
    /// <summary>The text that stands for redacted TXT data.</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>Resource records kept per section of a response (default 16); the real counts are always recorded.</summary>
    public int MaxRecordsPerSection { get; set; } = 16;

    /// <summary>Characters kept of one rendered record's data (default 256); longer data is cut with <c>…</c>.</summary>
    public int MaxDataLength { get; set; } = 256;

    /// <summary>
    /// Whether TXT record data is replaced by <see cref="RedactedValue"/> and its size (default <see langword="true"/>):
    /// TXT records often carry verification tokens and keys.
    /// </summary>
    public bool RedactTxtData { get; set; } = true;

    /// <summary>Queries kept while they wait for a response (default 1024); beyond that the oldest is emitted without one.</summary>
    public int MaxPendingQueries { get; set; } = 1024;

    /// <summary>How long a query waits for its response before it is emitted without one (default 5 s).</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRecordsPerSection);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRecordsPerSection, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDataLength, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingQueries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(QueryTimeout, TimeSpan.Zero);
    }

    internal DnsParserOptions Clone() => new()
    {
        MaxRecordsPerSection = MaxRecordsPerSection,
        MaxDataLength = MaxDataLength,
        RedactTxtData = RedactTxtData,
        MaxPendingQueries = MaxPendingQueries,
        QueryTimeout = QueryTimeout,
    };
}
