namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>A request waiting for the response on its stream id, and what both said.</summary>
internal sealed class CassandraExchange
{
    public CassandraOpcode Opcode { get; init; }

    public int ProtocolVersion { get; init; }

    public short StreamId { get; init; }

    public StreamDirection Direction { get; init; }

    public long RequestPosition { get; init; }

    public long RequestSize { get; init; }

    public bool Compressed { get; set; }

    public string? Query { get; set; }

    public string? PreparedId { get; set; }

    public CassandraConsistency? Consistency { get; set; }

    public int? BatchSize { get; set; }

    public bool DataLost { get; set; }
}
