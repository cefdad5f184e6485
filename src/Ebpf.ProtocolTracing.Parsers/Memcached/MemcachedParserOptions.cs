namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>Limits of the memcached parser.</summary>
/// <remarks>
/// Values are never kept, only their sizes: that is also how the secrets memcached carries stay out of
/// records (the SASL data of binary <c>SASL_AUTH</c>, the <c>user password</c> value a server with an
/// auth file takes as the first <c>set</c>).
/// </remarks>
public sealed class MemcachedParserOptions
{
    /// <summary>Keys kept per command (default 16); the real count is always recorded.</summary>
    public int MaxKeys { get; set; } = 16;

    /// <summary>Bytes kept of each key (default 250, memcached's own key limit).</summary>
    public int MaxKeyLength { get; set; } = 250;

    /// <summary>Longest text line accepted (default 64 KiB, room for a multi-key get); longer makes the stream invalid.</summary>
    public int MaxLineBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Largest value size accepted (default 1 GiB, the most memcached can be configured to store); a larger
    /// declared size makes the stream invalid. Values are never buffered, whatever their size.
    /// </summary>
    public long MaxValueBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Most commands kept while they wait for their responses (default 1024). When more wait, the oldest is
    /// emitted without one and marked <see cref="ProtocolRecord.DataLost"/>.
    /// </summary>
    public int MaxPendingCommands { get; set; } = 1024;

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxKeys);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxKeyLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxValueBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingCommands, 1);
    }

    internal MemcachedParserOptions Clone() => new()
    {
        MaxKeys = MaxKeys,
        MaxKeyLength = MaxKeyLength,
        MaxLineBytes = MaxLineBytes,
        MaxValueBytes = MaxValueBytes,
        MaxPendingCommands = MaxPendingCommands,
    };
}
