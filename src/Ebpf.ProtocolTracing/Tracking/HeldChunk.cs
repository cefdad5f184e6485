namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>Data that arrived ahead of a missing earlier piece of its stream, waiting for it.</summary>
/// <param name="Position">Stream position of the first byte the event stands for.</param>
/// <param name="OriginalLength">Stream bytes the event stands for (captured or not).</param>
/// <param name="CapturedLength">Bytes held in <paramref name="Data"/>.</param>
/// <param name="TimestampNs">Kernel time of the event.</param>
/// <param name="Data">Pooled copy of the captured bytes; <see langword="null"/> when none were captured.</param>
internal readonly record struct HeldChunk(long Position, long OriginalLength, int CapturedLength, ulong TimestampNs, byte[]? Data);
