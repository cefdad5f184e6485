namespace Ebpf.ProtocolTracing.Http;

/// <summary>Scores how likely bytes are the start of an HTTP/1.x message.</summary>
internal static class HttpInference
{
    /// <summary>A complete, valid start line.</summary>
    public const int Certain = 100;

    /// <summary>An incomplete line that already shows a standard method and SP, or the status-line prefix.</summary>
    public const int Likely = 60;

    /// <summary>An incomplete line that is still consistent with a start line.</summary>
    public const int Possible = 10;

    /// <summary>Scores <paramref name="data"/>, the first bytes of a stream or of what follows a gap.</summary>
    public static int Score(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return 0;
        }

        int lineEnd = data.IndexOf((byte)'\n');
        if (lineEnd >= 0)
        {
            return HttpStartLine.Classify(HttpCharacters.WithoutCarriageReturn(data[..lineEnd]), out _) != HttpMessageKind.None ? Certain : 0;
        }

        if (!HttpStartLine.IsPlausiblePrefix(data, out bool standardMethod))
        {
            return 0;
        }

        return standardMethod || data.StartsWith("HTTP/1."u8) ? Likely : Possible;
    }
}
