namespace Ebpf.ProtocolTracing.Soak;

/// <summary>Records read so far, in all and per protocol; written by the reader, read by the sampler.</summary>
internal sealed class RecordCounts
{
    private long _total;
    private long _http;
    private long _redis;
    private long _postgres;
    private long _dataLost;

    public long Total => Volatile.Read(ref _total);

    public long Http => Volatile.Read(ref _http);

    public long Redis => Volatile.Read(ref _redis);

    public long Postgres => Volatile.Read(ref _postgres);

    public long DataLost => Volatile.Read(ref _dataLost);

    public void Add(ProtocolRecord record)
    {
        Interlocked.Increment(ref _total);
        if (record.DataLost)
        {
            Interlocked.Increment(ref _dataLost);
        }

        switch (record.Protocol)
        {
            case "http":
                Interlocked.Increment(ref _http);
                break;
            case "redis":
                Interlocked.Increment(ref _redis);
                break;
            case "postgres":
                Interlocked.Increment(ref _postgres);
                break;
        }
    }
}
