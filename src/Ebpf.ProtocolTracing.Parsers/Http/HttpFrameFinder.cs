using System.Buffers;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>Finds where the next HTTP/1.x message starts in bytes that follow a loss.</summary>
internal static class HttpFrameFinder
{
    /// <summary>Most bytes searched in one call; a resync beyond this waits for the caller to drop bytes.</summary>
    private const int MaxSearchBytes = 1 << 20;

    /// <summary>
    /// Finds the first line that is a complete, valid start line of the <paramref name="expected"/> kind
    /// (either kind for <see cref="HttpMessageKind.None"/>). Every start line holds <c>HTTP/1.</c>, so the
    /// search jumps between its occurrences. At the very start of <paramref name="data"/> the line start
    /// is only assumed, so a request line there must use a standard method (a cut "GET" reads "ET").
    /// </summary>
    public static bool TryFind(in ReadOnlySequence<byte> data, HttpMessageKind expected, out long offset)
    {
        if (data.IsSingleSegment)
        {
            return TryFind(data.FirstSpan, expected, out offset);
        }

        int length = (int)Math.Min(data.Length, MaxSearchBytes);
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.Slice(0, length).CopyTo(rented);
            return TryFind(rented.AsSpan(0, length), expected, out offset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Span form of <see cref="TryFind(in ReadOnlySequence{byte}, HttpMessageKind, out long)"/>.</summary>
    public static bool TryFind(ReadOnlySpan<byte> data, HttpMessageKind expected, out long offset)
    {
        if (data.Length > MaxSearchBytes)
        {
            data = data[..MaxSearchBytes];
        }

        int searchFrom = 0;
        while (searchFrom < data.Length)
        {
            int marker = data[searchFrom..].IndexOf("HTTP/1."u8);
            if (marker < 0)
            {
                break;
            }

            marker += searchFrom;
            int lineStart = data[..marker].LastIndexOf((byte)'\n') + 1;
            int lineEnd = data[marker..].IndexOf((byte)'\n');
            if (lineEnd < 0)
            {
                break;
            }

            lineEnd += marker;
            var line = HttpCharacters.WithoutCarriageReturn(data[lineStart..lineEnd]);
            var kind = HttpStartLine.Classify(line, out var parts);
            if (kind != HttpMessageKind.None && (expected == HttpMessageKind.None || kind == expected)
                && (lineStart > 0 || kind == HttpMessageKind.Response || HttpStartLine.IsStandardMethod(line[..parts.MethodLength])))
            {
                offset = lineStart;
                return true;
            }

            // The bytes before a message are often the unterminated tail of a body cut by the loss.
            int midLine = FindMidLineStart(data[lineStart..lineEnd], marker - lineStart, expected);
            if (midLine > 0)
            {
                offset = lineStart + midLine;
                return true;
            }

            searchFrom = marker + 1;
        }

        offset = 0;
        return false;
    }

    /// <summary>
    /// Finds a start line that begins inside <paramref name="line"/> rather than at its start: a status
    /// line at the marker, or a request line whose method is a standard one ending right before its target.
    /// </summary>
    /// <returns>The start's offset in the line, or -1.</returns>
    private static int FindMidLineStart(ReadOnlySpan<byte> line, int marker, HttpMessageKind expected)
    {
        var whole = HttpCharacters.WithoutCarriageReturn(line);
        if (expected != HttpMessageKind.Request && marker > 0
            && HttpStartLine.Classify(whole[marker..], out _) == HttpMessageKind.Response)
        {
            return marker;
        }

        if (expected == HttpMessageKind.Response || marker < 4 || line[marker - 1] != (byte)' ')
        {
            return -1;
        }

        int targetStart = line[..(marker - 1)].LastIndexOf((byte)' ') + 1;
        if (targetStart <= 1)
        {
            return -1;
        }

        var methodArea = line[..(targetStart - 1)];
        int methodStart = HttpStartLine.StandardMethodSuffixStart(methodArea);
        return methodStart > 0 && HttpStartLine.Classify(whole[methodStart..], out _) == HttpMessageKind.Request ? methodStart : -1;
    }
}
