namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>Recognises a CQL frame header (v3–v5) at the start of a stream.</summary>
internal static class CassandraInference
{
    public static int Score(ReadOnlySpan<byte> data)
    {
        if (data.Length < CassandraFrameHeader.Size)
        {
            return 0;
        }

        var header = CassandraFrameHeader.Read(data);
        if (!header.IsPlausible(256 * 1024 * 1024))
        {
            return 0;
        }

        // A whole frame that ends where the data does (or before) is strong evidence.
        return CassandraFrameHeader.Size + (long)header.Length <= data.Length ? 85 : 60;
    }
}
