namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>A command waiting for its response, and what the response said so far (a get's VALUEs, STAT lines).</summary>
internal sealed class MemcachedExchange(MemcachedFrame command, DateTimeOffset requestTime)
{
    public MemcachedFrame Command { get; } = command;

    public DateTimeOffset RequestTime { get; } = requestTime;

    public DateTimeOffset? ResponseTime { get; set; }

    public string? Status { get; set; }

    public int Hits { get; set; }

    public long ResponseValueSize { get; set; }

    public string? ErrorMessage { get; set; }

    public bool IsError { get; set; }

    public bool DataLost { get; set; }

    /// <summary>Text get/gets/gat/gats and stats: answered by several lines up to END.</summary>
    public bool IsMultiLine => Command.Dialect == MemcachedDialect.Text && Command.Word is "get" or "gets" or "gat" or "gats" or "stats";

    /// <summary>Notes the time of the first response byte.</summary>
    public void Answered(DateTimeOffset time) => ResponseTime ??= time;

    public MemcachedRecord ToRecord(ConnectionInfo connection, ConnectionRole role) => new()
    {
        Connection = connection,
        Role = role,
        RequestTime = RequestTime,
        ResponseTime = ResponseTime,
        DataLost = DataLost,
        Command = Command.Word,
        Dialect = Command.Dialect,
        Keys = Command.Keys,
        KeyCount = Command.KeyCount,
        Status = Status,
        Hits = Hits,
        RequestValueSize = Command.IsCommand && Command.ValueSize > 0 ? Command.ValueSize : 0,
        ResponseValueSize = ResponseValueSize,
        Opaque = Command.Opaque,
        NoReply = Command.NoReply,
        ErrorMessage = ErrorMessage,
        IsErrorResponse = IsError,
    };
}
