namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>A statement as a Parse message described it.</summary>
internal sealed class PostgresPreparedStatement(string name, string text, bool textTruncated, uint[] parameterTypes)
{
    public string Name { get; } = name;

    public string Text { get; } = text;

    public bool TextTruncated { get; } = textTruncated;

    /// <summary>Parameter type OIDs from Parse (0 = unspecified), later completed by ParameterDescription.</summary>
    public uint[] ParameterTypes { get; set; } = parameterTypes;
}

/// <summary>A portal as a Bind message created it: which statement, with which values.</summary>
internal sealed class PostgresPortal(string statementName, PostgresPreparedStatement? statement, string?[] parameters, int parameterCount)
{
    public string StatementName { get; } = statementName;

    /// <summary><see langword="null"/> when the statement was prepared before tracing started.</summary>
    public PostgresPreparedStatement? Statement { get; } = statement;

    public string?[] Parameters { get; } = parameters;

    public int ParameterCount { get; } = parameterCount;
}

/// <summary>
/// Per-connection names of prepared statements (or portals), bounded: when full, the oldest name is
/// forgotten. The unnamed statement and portal are the entry <c>""</c>, replaced by each new one.
/// </summary>
internal sealed class PostgresNameCache<T>(int capacity)
    where T : class
{
    private readonly Dictionary<string, T> _entries = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public int Count => _entries.Count;

    public T? Find(string name) => _entries.GetValueOrDefault(name);

    public void Set(string name, T value)
    {
        if (_entries.ContainsKey(name))
        {
            _entries[name] = value;
            return;
        }

        while (_entries.Count >= capacity && _order.TryDequeue(out var oldest))
        {
            _entries.Remove(oldest);
        }

        _entries[name] = value;
        _order.Enqueue(name);
        if (_order.Count > capacity * 2)
        {
            // Names closed and set again pile up in the queue: rebuild it from what is cached.
            _order.Clear();
            foreach (var key in _entries.Keys)
            {
                _order.Enqueue(key);
            }
        }
    }

    public void Remove(string name) => _entries.Remove(name);
}
