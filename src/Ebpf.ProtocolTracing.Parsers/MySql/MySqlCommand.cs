namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// What a MySQL/MariaDB exchange was: the connection handshake or one client command
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html).
/// </summary>
public enum MySqlCommand
{
    /// <summary>The command byte was not captured (the exchange began before tracing or was lost).</summary>
    Unknown = 0,

    /// <summary>The connection phase: server greeting, client handshake response and authentication.</summary>
    Connect,

    /// <summary><c>COM_QUERY</c>: a text statement.</summary>
    Query,

    /// <summary><c>COM_STMT_PREPARE</c>: prepares a statement; the server answers with its id.</summary>
    Prepare,

    /// <summary><c>COM_STMT_EXECUTE</c>: runs a prepared statement with bound parameters.</summary>
    Execute,

    /// <summary><c>COM_STMT_CLOSE</c>: frees a prepared statement (no response).</summary>
    CloseStatement,

    /// <summary><c>COM_STMT_RESET</c>: resets a prepared statement's state.</summary>
    ResetStatement,

    /// <summary><c>COM_STMT_SEND_LONG_DATA</c>: sends a parameter value in pieces (no response).</summary>
    SendLongData,

    /// <summary><c>COM_STMT_FETCH</c>: fetches rows of an open cursor.</summary>
    Fetch,

    /// <summary><c>COM_INIT_DB</c>: changes the default database.</summary>
    InitDb,

    /// <summary><c>COM_PING</c>.</summary>
    Ping,

    /// <summary><c>COM_QUIT</c>: the client closes the connection (no response).</summary>
    Quit,

    /// <summary><c>COM_CHANGE_USER</c>: re-authenticates the connection.</summary>
    ChangeUser,

    /// <summary><c>COM_RESET_CONNECTION</c>: resets the session state.</summary>
    ResetConnection,

    /// <summary><c>COM_SET_OPTION</c>.</summary>
    SetOption,

    /// <summary><c>COM_FIELD_LIST</c> (deprecated): lists a table's columns.</summary>
    FieldList,

    /// <summary><c>COM_STATISTICS</c>: the server's status line.</summary>
    Statistics,

    /// <summary>Another, rarely used command; <see cref="MySqlRecord.CommandCode"/> holds its byte.</summary>
    Other,
}
