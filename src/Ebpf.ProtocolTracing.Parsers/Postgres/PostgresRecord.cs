using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>
/// One PostgreSQL exchange (frontend/backend protocol v3): a simple Query, an extended-protocol Execute
/// (with the statement text and bound parameters of its prepared statement), a prepare, or the
/// connection's startup and authentication.
/// </summary>
/// <remarks>
/// A statement prepared before tracing started is not known: <see cref="Statement"/> is then
/// <see langword="null"/> and <see cref="StatementName"/> says which statement ran.
/// See https://www.postgresql.org/docs/current/protocol-flow.html.
/// </remarks>
public sealed record PostgresRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "postgres";

    /// <summary>The frontend message that started the exchange.</summary>
    public required PostgresCommand Command { get; init; }

    /// <summary>The SQL text (of the Query, or of the prepared statement an Execute ran); <see langword="null"/> when not known.</summary>
    public string? Statement { get; init; }

    /// <summary>Whether <see cref="Statement"/> was cut at <see cref="PostgresParserOptions.MaxStatementLength"/> or by the message head limit.</summary>
    public bool StatementTruncated { get; init; }

    /// <summary>The prepared statement's name; <see langword="null"/> for the unnamed statement and for simple queries.</summary>
    public string? StatementName { get; init; }

    /// <summary>
    /// The bound parameter values as text (binary values of common types decoded, others as hex, all
    /// bounded by <see cref="PostgresParserOptions.MaxParameterLength"/>); a <see langword="null"/> element is SQL NULL.
    /// </summary>
    public IReadOnlyList<string?> Parameters { get; init; } = [];

    /// <summary>How many parameters were bound, also counting those beyond <see cref="PostgresParserOptions.MaxParameters"/>.</summary>
    public int ParameterCount { get; init; }

    /// <summary>The last CommandComplete tag, e.g. <c>SELECT 3</c> or <c>INSERT 0 1</c>; empty for an empty query; <see langword="null"/> without one.</summary>
    public string? CommandTag { get; init; }

    /// <summary>DataRow messages returned; <see langword="null"/> when the command returns no rows.</summary>
    public long? RowsReturned { get; init; }

    /// <summary>Rows inserted, updated, deleted, merged, copied or moved, from the command tag; <see langword="null"/> when it says none.</summary>
    public long? RowsAffected { get; init; }

    /// <summary>The ErrorResponse that ended the exchange; <see langword="null"/> when it succeeded.</summary>
    public PostgresError? Error { get; init; }

    /// <summary>NoticeResponses received during the exchange (a few at most).</summary>
    public IReadOnlyList<PostgresError> Notices { get; init; } = [];

    /// <summary>
    /// Whether the server skipped this Execute because an earlier message of the same pipeline failed
    /// (the server ignores everything up to the next Sync after an error).
    /// </summary>
    public bool Skipped { get; init; }

    /// <summary>The transaction status the ReadyForQuery after the exchange reported: <c>I</c> idle, <c>T</c> in a transaction, <c>E</c> in a failed one.</summary>
    public char? TransactionStatus { get; init; }

    /// <summary>Startup: the requested protocol version, e.g. <c>3.0</c>.</summary>
    public string? ProtocolVersion { get; init; }

    /// <summary>Startup: the <c>user</c> parameter.</summary>
    public string? User { get; init; }

    /// <summary>Startup: the <c>database</c> parameter (defaults to the user name on the server when absent).</summary>
    public string? Database { get; init; }

    /// <summary>Startup: the <c>application_name</c> parameter.</summary>
    public string? ApplicationName { get; init; }

    /// <summary>Startup: how the server asked the client to authenticate, e.g. <c>MD5Password</c> or <c>SASL SCRAM-SHA-256</c>; <c>Ok</c> when it asked for nothing.</summary>
    public string? AuthenticationMethod { get; init; }

    /// <summary>
    /// Startup: what the client sent to authenticate. <see cref="PostgresParserOptions.RedactedValue"/>
    /// unless <see cref="PostgresParserOptions.RedactSecrets"/> is off; <see langword="null"/> when it sent nothing.
    /// </summary>
    public string? Credential { get; init; }

    /// <summary>Startup: the server's <c>server_version</c> ParameterStatus.</summary>
    public string? ServerVersion { get; init; }

    /// <summary>Startup: the backend's process id from BackendKeyData (the secret key is not kept).</summary>
    public int? BackendProcessId { get; init; }

    /// <summary>SSLRequest or GSSENCRequest: whether the server agreed to encrypt (the rest of the connection is then not readable).</summary>
    public bool? EncryptionAccepted { get; init; }

    /// <inheritdoc />
    public override string Operation => Command switch
    {
        PostgresCommand.Startup => "Startup",
        PostgresCommand.SslRequest => "SSLRequest",
        PostgresCommand.GssEncRequest => "GSSENCRequest",
        PostgresCommand.CancelRequest => "Cancel",
        PostgresCommand.Query => "Query",
        PostgresCommand.Parse => "Parse",
        PostgresCommand.Execute => "Execute",
        PostgresCommand.FunctionCall => "FunctionCall",
        _ => "Unknown",
    };

    /// <inheritdoc />
    public override string? Resource => Command == PostgresCommand.Startup
        ? (Database ?? User)
        : Statement ?? (StatementName is null ? null : "<prepared " + StatementName + ">");

    /// <inheritdoc />
    public override string? Outcome =>
        Error is { } error ? "ERR " + error.SqlState
        : Skipped ? "skipped"
        : EncryptionAccepted is { } accepted ? (accepted ? "accepted" : "refused")
        : !string.IsNullOrEmpty(CommandTag) ? CommandTag
        : CommandTag is not null ? "EMPTY"
        : ResponseTime is not null ? "OK"
        : null;

    /// <inheritdoc />
    public override bool IsError => Error is not null;

    /// <summary>A one-line summary, e.g. <c>postgres Execute select $1 [42] -> SELECT 1 (1 rows) in 0.3 ms Client</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        text.Append("postgres ").Append(Operation);
        if (Resource is { } resource)
        {
            text.Append(' ').Append(resource);
        }

        if (ParameterCount > 0)
        {
            text.Append(" [");
            for (int i = 0; i < Parameters.Count; i++)
            {
                text.Append(i == 0 ? "" : ", ").Append(Parameters[i] ?? "NULL");
            }

            text.Append(Parameters.Count < ParameterCount ? ", …]" : "]");
        }

        text.Append(" -> ").Append(Outcome ?? "(no response)");
        if (Error is { } error)
        {
            text.Append(' ').Append(error.Message);
        }

        if (RowsReturned is { } rows)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({rows} rows)");
        }

        if (Latency is { } latency)
        {
            text.Append(CultureInfo.InvariantCulture, $" in {latency.TotalMilliseconds:0.###} ms");
        }

        text.Append(' ').Append(Role);
        if (DataLost)
        {
            text.Append(" [data lost]");
        }

        return text.ToString();
    }
}
