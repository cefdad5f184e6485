namespace Ebpf.ProtocolTracing.Http;

/// <summary>Scores how likely bytes are the start of an HTTP/1.x message.</summary>
internal static class HttpInference
{
    public static int Score(ReadOnlySpan<byte> data) => data.StartsWith("HTTP/1."u8) ? 100 : 0;
}
