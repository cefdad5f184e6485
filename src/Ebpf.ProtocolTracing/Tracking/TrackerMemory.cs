namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>The bytes all tracked streams buffer together, for the global memory cap.</summary>
internal sealed class TrackerMemory
{
    /// <summary>Buffered and held bytes of every stream.</summary>
    public long BufferedBytes { get; private set; }

    public void Add(long bytes) => BufferedBytes += bytes;

    public void Remove(long bytes) => BufferedBytes -= bytes;
}
