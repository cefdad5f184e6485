namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// Wire constants of the client/server protocol
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html).
/// </summary>
internal static class MySqlProtocol
{
    /// <summary>Packet header: 3-byte little-endian payload length and a sequence id.</summary>
    public const int HeaderLength = 4;

    /// <summary>A payload of this length continues in the next packet.</summary>
    public const int MaxPayloadLength = 0xFFFFFF;

    /// <summary>The only handshake protocol version in use since MySQL 3.21.</summary>
    public const byte HandshakeV10 = 10;

    public const byte OkHeader = 0x00;
    public const byte ErrHeader = 0xFF;
    public const byte EofHeader = 0xFE;
    public const byte LocalInfileHeader = 0xFB;
    public const byte AuthMoreDataHeader = 0x01;

    // Command bytes (https://dev.mysql.com/doc/dev/mysql-server/latest/my__command_8h.html).
    public const byte ComQuit = 0x01;
    public const byte ComInitDb = 0x02;
    public const byte ComQuery = 0x03;
    public const byte ComFieldList = 0x04;
    public const byte ComStatistics = 0x09;
    public const byte ComPing = 0x0e;
    public const byte ComChangeUser = 0x11;
    public const byte ComStmtPrepare = 0x16;
    public const byte ComStmtExecute = 0x17;
    public const byte ComStmtSendLongData = 0x18;
    public const byte ComStmtClose = 0x19;
    public const byte ComStmtReset = 0x1a;
    public const byte ComSetOption = 0x1b;
    public const byte ComStmtFetch = 0x1c;
    public const byte ComResetConnection = 0x1f;

    // Capability flags (https://dev.mysql.com/doc/dev/mysql-server/latest/group__group__cs__capabilities__flags.html).
    public const uint ClientConnectWithDb = 0x00000008;
    public const uint ClientProtocol41 = 0x00000200;
    public const uint ClientSsl = 0x00000800;
    public const uint ClientSecureConnection = 0x00008000;
    public const uint ClientPluginAuth = 0x00080000;
    public const uint ClientConnectAttrs = 0x00100000;
    public const uint ClientPluginAuthLenencClientData = 0x00200000;
    public const uint ClientDeprecateEof = 0x01000000;
    public const uint ClientQueryAttributes = 0x08000000;

    /// <summary>Server status flag: another result set follows for the same command.</summary>
    public const ushort ServerMoreResultsExists = 0x0008;

    /// <summary>COM_STMT_EXECUTE flag (with query attributes): the parameter count is sent.</summary>
    public const byte ParameterCountAvailable = 0x08;

    /// <summary>Maps a command byte to what it means; <see langword="null"/> for bytes that are not commands a client sends.</summary>
    public static MySqlCommand? CommandOf(byte code) => code switch
    {
        ComQuit => MySqlCommand.Quit,
        ComInitDb => MySqlCommand.InitDb,
        ComQuery => MySqlCommand.Query,
        ComFieldList => MySqlCommand.FieldList,
        ComStatistics => MySqlCommand.Statistics,
        ComPing => MySqlCommand.Ping,
        ComChangeUser => MySqlCommand.ChangeUser,
        ComStmtPrepare => MySqlCommand.Prepare,
        ComStmtExecute => MySqlCommand.Execute,
        ComStmtSendLongData => MySqlCommand.SendLongData,
        ComStmtClose => MySqlCommand.CloseStatement,
        ComStmtReset => MySqlCommand.ResetStatement,
        ComSetOption => MySqlCommand.SetOption,
        ComStmtFetch => MySqlCommand.Fetch,
        ComResetConnection => MySqlCommand.ResetConnection,

        // Administrative and replication commands: known, rare, answered like any other.
        >= 0x05 and <= 0x1e => MySqlCommand.Other,
        _ => null,
    };

    /// <summary>Whether a command gets no response at all.</summary>
    public static bool HasNoResponse(byte code) => code is ComQuit or ComStmtClose or ComStmtSendLongData;

    /// <summary>
    /// Whether a payload of <paramref name="length"/> bytes is plausible for command <paramref name="code"/>
    /// (commands with fixed layouts have exact lengths).
    /// </summary>
    public static bool IsPlausibleLength(byte code, int length) => code switch
    {
        ComQuit or ComPing or ComStatistics or ComResetConnection => length == 1,
        ComStmtClose or ComStmtReset => length == 5,
        ComSetOption => length == 3,
        ComStmtFetch => length == 9,
        ComStmtExecute => length >= 10,
        ComStmtSendLongData => length >= 7,
        ComQuery or ComStmtPrepare or ComInitDb or ComFieldList => length >= 2,
        _ => length >= 1,
    };
}
