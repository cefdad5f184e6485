using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// One MySQL/MariaDB exchange: the connection handshake, or one command and its response
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html).
/// </summary>
/// <remarks>
/// Response fields are <see langword="null"/> when no response was seen (commands that have none, like
/// <see cref="MySqlCommand.CloseStatement"/> and <see cref="MySqlCommand.Quit"/>, or a connection that
/// ended first). Authentication data sent by the client is never kept.
/// </remarks>
public sealed record MySqlRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "mysql";

    /// <summary>What the exchange was.</summary>
    public MySqlCommand Command { get; init; }

    /// <summary>The command byte as sent (e.g. 0x03 for <c>COM_QUERY</c>); <see langword="null"/> for <see cref="MySqlCommand.Connect"/> and when not captured.</summary>
    public byte? CommandCode { get; init; }

    /// <summary>
    /// The SQL text: the query, or for prepared-statement commands the text it was prepared from (when the
    /// prepare was seen on this connection); the database name for <see cref="MySqlCommand.InitDb"/>.
    /// Cut at <see cref="MySqlParserOptions.MaxStatementLength"/>; password literals redacted by default.
    /// </summary>
    public string? Statement { get; init; }

    /// <summary>Whether <see cref="Statement"/> was cut short.</summary>
    public bool StatementTruncated { get; init; }

    /// <summary>The prepared statement's id (from the prepare response, or the one an execute, close or reset names).</summary>
    public uint? StatementId { get; init; }

    /// <summary>Bound parameters of an <see cref="MySqlCommand.Execute"/>, in order (at most <see cref="MySqlParserOptions.MaxParameters"/>).</summary>
    public IReadOnlyList<MySqlParameter> Parameters { get; init; } = [];

    /// <summary>Parameter placeholders of a prepared statement (from the prepare response), or parameters sent with an execute.</summary>
    public int? ParameterCount { get; init; }

    /// <summary>Columns of the result (a result set, or a prepare response's column count).</summary>
    public int? ColumnCount { get; init; }

    /// <summary>Rows the response returned (over all result sets of the command); <see langword="null"/> when it returned no result set.</summary>
    public long? RowsReturned { get; init; }

    /// <summary>Rows changed, from the final <c>OK_Packet</c>.</summary>
    public long? AffectedRows { get; init; }

    /// <summary>The last <c>AUTO_INCREMENT</c> value generated, from the final <c>OK_Packet</c>.</summary>
    public long? LastInsertId { get; init; }

    /// <summary>Warnings the server reported.</summary>
    public int? Warnings { get; init; }

    /// <summary>The error the server answered with; <see langword="null"/> on success or without a response.</summary>
    public MySqlError? Error { get; init; }

    /// <summary>The server's version from its greeting, e.g. <c>11.8.3-MariaDB</c> (<see cref="MySqlCommand.Connect"/> only).</summary>
    public string? ServerVersion { get; init; }

    /// <summary>The server's thread/connection id from its greeting (<see cref="MySqlCommand.Connect"/> only).</summary>
    public uint? ServerConnectionId { get; init; }

    /// <summary>The capability flags both sides agreed on (client flags from the handshake response; <see cref="MySqlCommand.Connect"/> only).</summary>
    public uint? Capabilities { get; init; }

    /// <summary>The user name the client logged in as (<see cref="MySqlCommand.Connect"/> and <see cref="MySqlCommand.ChangeUser"/>).</summary>
    public string? User { get; init; }

    /// <summary>The database named at login (<see cref="MySqlCommand.Connect"/> and <see cref="MySqlCommand.ChangeUser"/>).</summary>
    public string? Database { get; init; }

    /// <summary>The authentication plugin, e.g. <c>mysql_native_password</c> (the one the login finished with when the server switched).</summary>
    public string? AuthPlugin { get; init; }

    /// <summary>Whether the client asked for TLS (<c>SSLRequest</c>); what follows is encrypted and not parsed.</summary>
    public bool TlsRequested { get; init; }

    /// <inheritdoc />
    public override string Operation => Command.ToString();

    /// <inheritdoc />
    public override string? Resource => Command switch
    {
        MySqlCommand.Connect or MySqlCommand.ChangeUser => User is null ? Database : Database is null ? User : User + "@" + Database,
        _ => Statement ?? (StatementId is { } id ? "statement " + id.ToString(CultureInfo.InvariantCulture) : null),
    };

    /// <inheritdoc />
    public override string? Outcome
    {
        get
        {
            if (Error is { } error)
            {
                return string.Create(CultureInfo.InvariantCulture, $"ERR {error.Code}{(error.SqlState is null ? "" : " " + error.SqlState)}");
            }

            if (ResponseTime is null)
            {
                return null;
            }

            return RowsReturned is { } rows ? string.Create(CultureInfo.InvariantCulture, $"{rows} rows") : "OK";
        }
    }

    /// <inheritdoc />
    public override bool IsError => Error is not null;

    /// <summary>A one-line summary, e.g. <c>mysql Query SELECT 1 -> 1 rows in 0.3 ms Client</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        text.Append("mysql ").Append(Operation);
        if (Resource is { } resource)
        {
            text.Append(' ').Append(resource);
        }

        if (Parameters.Count > 0)
        {
            text.Append(" [");
            for (int i = 0; i < Parameters.Count; i++)
            {
                text.Append(i == 0 ? "" : ", ").Append(Parameters[i]);
            }

            text.Append(']');
        }

        text.Append(" -> ").Append(Outcome ?? "(no response)");
        if (AffectedRows is { } affected and > 0 && RowsReturned is null && Command is MySqlCommand.Query or MySqlCommand.Execute)
        {
            text.Append(CultureInfo.InvariantCulture, $" affected {affected}");
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
