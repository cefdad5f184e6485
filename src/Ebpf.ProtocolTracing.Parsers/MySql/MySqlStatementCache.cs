namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// One connection's prepared statements by id, so an execute shows the text it runs. Bounded: when full,
/// the oldest statement is forgotten (its executes then show no text).
/// </summary>
internal sealed class MySqlStatementCache(int capacity)
{
    private readonly Dictionary<uint, MySqlPreparedStatement> _statements = [];
    private readonly Queue<uint> _order = new();

    public int Count => _statements.Count;

    public void Add(uint id, MySqlPreparedStatement statement)
    {
        if (!_statements.ContainsKey(id))
        {
            // Ids of closed statements may still be queued: skip them while making room.
            while (_statements.Count >= capacity && _order.TryDequeue(out uint oldest))
            {
                _statements.Remove(oldest);
            }

            _order.Enqueue(id);
        }

        _statements[id] = statement;

        // A queue full of closed ids must not grow without bound.
        if (_order.Count > 2 * capacity)
        {
            int keep = _order.Count;
            for (int i = 0; i < keep; i++)
            {
                uint queued = _order.Dequeue();
                if (_statements.ContainsKey(queued))
                {
                    _order.Enqueue(queued);
                }
            }
        }
    }

    public MySqlPreparedStatement? Find(uint id) => _statements.GetValueOrDefault(id);

    public void Clear()
    {
        _statements.Clear();
        _order.Clear();
    }

    public void Remove(uint id) => _statements.Remove(id);
}
