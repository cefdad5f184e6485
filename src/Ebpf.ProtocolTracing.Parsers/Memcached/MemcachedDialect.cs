namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>Which of memcached's protocols a command used.</summary>
public enum MemcachedDialect : byte
{
    /// <summary>The classic text protocol (<c>get</c>, <c>set</c>, …).</summary>
    Text = 0,

    /// <summary>The meta commands of the text protocol (<c>mg</c>, <c>ms</c>, <c>md</c>, <c>ma</c>, <c>mn</c>, <c>me</c>).</summary>
    Meta = 1,

    /// <summary>The binary protocol (24-byte headers, magic 0x80/0x81).</summary>
    Binary = 2,
}
