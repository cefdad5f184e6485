namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>The kind of a RESULT message (native_protocol_v4.spec, section 4.2.5).</summary>
public enum CassandraResultKind
{
    /// <summary>Void: nothing to return.</summary>
    Void = 0x0001,

    /// <summary>Rows: a result set.</summary>
    Rows = 0x0002,

    /// <summary>Set_keyspace: the answer to a USE.</summary>
    SetKeyspace = 0x0003,

    /// <summary>Prepared: the answer to PREPARE, with the statement id.</summary>
    Prepared = 0x0004,

    /// <summary>Schema_change: the answer to a schema altering statement.</summary>
    SchemaChange = 0x0005,
}
