namespace Ebpf.ProtocolTracing.MySql;

/// <summary>A statement prepared on a connection: its text, its shape, and the parameter types last bound.</summary>
internal sealed class MySqlPreparedStatement(string text, bool truncated, int parameterCount, int columnCount)
{
    public string Text { get; } = text;

    public bool Truncated { get; } = truncated;

    public int ParameterCount { get; } = parameterCount;

    public int ColumnCount { get; } = columnCount;

    /// <summary>
    /// Types bound by the last execute that sent them (new-params-bound flag 1); later executes that
    /// send the flag 0 reuse them.
    /// </summary>
    public MySqlFieldType[]? Types { get; set; }

    /// <summary>Per parameter: whether its integer type is unsigned.</summary>
    public bool[]? Unsigned { get; set; }

    /// <summary>
    /// Parameters whose values were sent with COM_STMT_SEND_LONG_DATA since the last execute: the execute
    /// carries no value for them. Bit <c>i</c> stands for parameter <c>i</c> (the first 64).
    /// </summary>
    public ulong LongDataParameters { get; set; }
}
