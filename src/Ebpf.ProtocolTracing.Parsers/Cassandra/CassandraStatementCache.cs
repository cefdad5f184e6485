namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>
/// Prepared statement ids to their CQL text, learned from PREPARE and its Prepared result, so EXECUTE and
/// BATCH records show the statement. Bounded: past the limit the oldest is forgotten.
/// </summary>
internal sealed class CassandraStatementCache(int capacity)
{
    private readonly Dictionary<string, string> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public void Remember(string id, string query)
    {
        if (_byId.ContainsKey(id))
        {
            _byId[id] = query;
            return;
        }

        if (_byId.Count >= capacity && _order.TryDequeue(out var oldest))
        {
            _byId.Remove(oldest);
        }

        _byId[id] = query;
        _order.Enqueue(id);
    }

    public string? Find(string id) => _byId.GetValueOrDefault(id);

    public int Count => _byId.Count;
}
