namespace Ebpf.ProtocolTracing.MySql;

/// <summary>Where the reading of a response stands.</summary>
internal enum MySqlResponsePhase
{
    /// <summary>The first packet of the response (or of the next result set) is next.</summary>
    Start,

    /// <summary>Column definitions of a result set.</summary>
    ColumnDefinitions,

    /// <summary>After the column definitions: an EOF (without CLIENT_DEPRECATE_EOF) or the first row.</summary>
    AfterColumns,

    /// <summary>Rows until the EOF or OK that ends the result set.</summary>
    Rows,

    /// <summary>Parameter definitions of a prepare response.</summary>
    PrepareParameters,

    /// <summary>Column definitions of a prepare response.</summary>
    PrepareColumns,

    /// <summary>Column definitions of COM_FIELD_LIST until EOF.</summary>
    FieldList,

    /// <summary>The server asked for a local file; the final OK or ERR follows the client's data.</summary>
    LocalInfile,

    /// <summary>Authentication round trips (handshake or COM_CHANGE_USER) until OK or ERR.</summary>
    Authentication,
}

/// <summary>A command (or the handshake) and what is known of its response so far.</summary>
internal sealed class MySqlExchange
{
    public MySqlCommand Command;
    public byte? CommandCode;
    public DateTimeOffset RequestTime;
    public DateTimeOffset? ResponseTime;
    public bool DataLost;

    public string? Statement;
    public bool StatementTruncated;
    public uint? StatementId;
    public MySqlParameter[]? Parameters;
    public int? ParameterCount;
    public int? ColumnCount;

    /// <summary>The prepare request's full text, kept until the response names the statement id.</summary>
    public string? PreparedText;

    public MySqlResponsePhase Phase;
    public int DefinitionsLeft;
    public int PrepareColumnsLeft;
    public long? Rows;
    public long? AffectedRows;
    public long? LastInsertId;
    public int? Warnings;
    public MySqlError? Error;

    // The handshake.
    public string? ServerVersion;
    public uint? ServerConnectionId;
    public uint ServerCapabilities;
    public uint? Capabilities;
    public string? User;
    public string? Database;
    public string? AuthPlugin;
    public bool TlsRequested;

    /// <summary>Whether the client's half of the handshake (or change-user) was read.</summary>
    public bool ClientSpoke;
}
