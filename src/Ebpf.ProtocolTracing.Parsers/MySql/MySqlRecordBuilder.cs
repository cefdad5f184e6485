namespace Ebpf.ProtocolTracing.MySql;

/// <summary>Turns a finished exchange into its record.</summary>
internal static class MySqlRecordBuilder
{
    public static MySqlRecord Build(MySqlExchange exchange, ConnectionInfo connection, ConnectionRole role) => new()
    {
        Connection = connection,
        Role = role,
        RequestTime = exchange.RequestTime,
        ResponseTime = exchange.ResponseTime,
        DataLost = exchange.DataLost,
        Command = exchange.Command,
        CommandCode = exchange.CommandCode,
        Statement = exchange.Statement,
        StatementTruncated = exchange.StatementTruncated,
        StatementId = exchange.StatementId,
        Parameters = exchange.Parameters ?? [],
        ParameterCount = exchange.ParameterCount,
        ColumnCount = exchange.ColumnCount,
        RowsReturned = exchange.Rows,
        AffectedRows = exchange.AffectedRows,
        LastInsertId = exchange.LastInsertId,
        Warnings = exchange.Warnings,
        Error = exchange.Error,
        ServerVersion = exchange.ServerVersion,
        ServerConnectionId = exchange.ServerConnectionId,
        Capabilities = exchange.Capabilities,
        User = exchange.User,
        Database = exchange.Database,
        AuthPlugin = exchange.AuthPlugin,
        TlsRequested = exchange.TlsRequested,
    };
}
