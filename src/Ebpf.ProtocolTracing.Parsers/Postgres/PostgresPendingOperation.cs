namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>What a frontend message waits for from the backend.</summary>
internal enum PostgresOperationKind
{
    Startup,
    SslRequest,
    GssEncRequest,
    Query,
    FunctionCall,
    Parse,
    Bind,
    Describe,
    Execute,
    Close,
    Sync,
    CancelRequest,

    /// <summary>Frontend bytes were lost: whatever answers them runs up to the next ReadyForQuery.</summary>
    Lost,
}

/// <summary>One frontend message waiting for its response, and what the response said so far.</summary>
internal sealed class PostgresPendingOperation
{
    public PostgresOperationKind Kind { get; init; }

    public DateTimeOffset RequestTime { get; init; }

    public DateTimeOffset? ResponseTime { get; set; }

    public string? Statement { get; init; }

    public bool StatementTruncated { get; init; }

    public string? StatementName { get; init; }

    public string?[] Parameters { get; init; } = [];

    public int ParameterCount { get; init; }

    /// <summary>Describe: <c>S</c> for a statement (its ParameterDescription updates the cache), <c>P</c> for a portal.</summary>
    public byte DescribeTarget { get; init; }

    public PostgresPreparedStatement? DescribedStatement { get; init; }

    public string? CommandTag { get; set; }

    public long DataRows { get; set; }

    public bool SawRowDescription { get; set; }

    public long? RowsAffected { get; set; }

    public PostgresError? Error { get; set; }

    public List<PostgresError>? Notices { get; set; }

    public bool DataLost { get; set; }

    // Startup exchange.
    public string? ProtocolVersion { get; init; }

    public string? User { get; init; }

    public string? Database { get; init; }

    public string? ApplicationName { get; init; }

    public string? AuthenticationMethod { get; set; }

    public string? Credential { get; set; }

    public string? ServerVersion { get; set; }

    public int? BackendProcessId { get; set; }

    /// <summary>Whether ReadyForQuery (not just any message) ends the exchange.</summary>
    public bool EndsAtReadyForQuery => Kind is PostgresOperationKind.Startup or PostgresOperationKind.Query
        or PostgresOperationKind.FunctionCall or PostgresOperationKind.Sync or PostgresOperationKind.Lost;

    public void AddNotice(PostgresError notice)
    {
        const int MaxNotices = 8;
        Notices ??= [];
        if (Notices.Count < MaxNotices)
        {
            Notices.Add(notice);
        }
    }
}
