namespace Ebpf.ProtocolTracing.Http;

/// <summary>The kind of HTTP message a start line begins.</summary>
internal enum HttpMessageKind : byte
{
    /// <summary>Not a valid start line.</summary>
    None = 0,

    /// <summary>A request line: <c>method SP target SP HTTP/1.x</c>.</summary>
    Request = 1,

    /// <summary>A status line: <c>HTTP/1.x SP status [SP reason]</c>.</summary>
    Response = 2,
}

/// <summary>Checks request lines and status lines (RFC 9112 3 and 4) without allocating.</summary>
internal static class HttpStartLine
{
    /// <summary>Longest method accepted; real methods (WebDAV included) are far shorter.</summary>
    public const int MaxMethodLength = 24;

    /// <summary>Length of <c>HTTP/1.x</c>.</summary>
    private const int VersionLength = 8;

    /// <summary>The methods of RFC 9110 and RFC 5789: trusted even where a line start is only assumed.</summary>
    private static readonly byte[][] StandardMethods =
        ["GET"u8.ToArray(), "POST"u8.ToArray(), "PUT"u8.ToArray(), "DELETE"u8.ToArray(), "HEAD"u8.ToArray(),
         "OPTIONS"u8.ToArray(), "PATCH"u8.ToArray(), "CONNECT"u8.ToArray(), "TRACE"u8.ToArray()];

    /// <summary>Classifies one complete line (CR already removed).</summary>
    /// <param name="line">The line.</param>
    /// <param name="startLine">Where its parts are, when valid.</param>
    public static HttpMessageKind Classify(ReadOnlySpan<byte> line, out StartLineParts startLine)
    {
        startLine = default;
        if (line.StartsWith("HTTP/1."u8))
        {
            return TryParseStatusLine(line, out startLine) ? HttpMessageKind.Response : HttpMessageKind.None;
        }

        return TryParseRequestLine(line, out startLine) ? HttpMessageKind.Request : HttpMessageKind.None;
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, out StartLineParts parts)
    {
        parts = default;
        // The first non-token byte ends the method and must be its SP: one pass finds and validates it.
        // The commonest method first: "GET " is four tchars-then-SP bytes, so the search would find the same end.
        int methodEnd = line.StartsWith("GET "u8) ? 3 : line.IndexOfAnyExcept(HttpCharacters.Token);
        if (methodEnd <= 0 || methodEnd > MaxMethodLength || line[methodEnd] != (byte)' ')
        {
            return false;
        }

        // The version is the last 8 bytes after one SP; the target is everything between.
        int versionStart = line.Length - VersionLength;
        if (versionStart < methodEnd + 3 || line[versionStart - 1] != (byte)' ' || !IsVersion(line[versionStart..]))
        {
            return false;
        }

        var target = line[(methodEnd + 1)..(versionStart - 1)];
        if (!HttpCharacters.IsTarget(target))
        {
            return false;
        }

        parts = new StartLineParts(methodEnd, methodEnd + 1, target.Length, line[versionStart + VersionLength - 1] - '0', 0);
        return true;
    }

    private static bool TryParseStatusLine(ReadOnlySpan<byte> line, out StartLineParts parts)
    {
        parts = default;

        // "HTTP/1.1 200" at least; "HTTP/1.1 200 OK" usually. A missing SP before an empty reason is tolerated.
        if (line.Length < VersionLength + 4 || !IsVersion(line[..VersionLength]) || line[VersionLength] != (byte)' ')
        {
            return false;
        }

        int d0 = line[9] - '0', d1 = line[10] - '0', d2 = line[11] - '0';
        if ((uint)d0 > 9 || (uint)d1 > 9 || (uint)d2 > 9 || d0 == 0)
        {
            return false;
        }

        if (line.Length > 12 && (line[12] != (byte)' ' || !HttpCharacters.IsFieldValue(line[13..])))
        {
            return false;
        }

        parts = new StartLineParts(0, 0, 0, line[VersionLength - 1] - '0', (d0 * 100) + (d1 * 10) + d2);
        return true;
    }

    private static bool IsVersion(ReadOnlySpan<byte> version) =>
        version.Length == VersionLength && version.StartsWith("HTTP/1."u8) && (uint)(version[7] - '0') <= 9;

    /// <summary>Whether <paramref name="method"/> is one of the standard methods.</summary>
    public static bool IsStandardMethod(ReadOnlySpan<byte> method)
    {
        foreach (var known in StandardMethods)
        {
            if (method.SequenceEqual(known))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Where a standard method that ends <paramref name="area"/> begins (the longest one), or -1.</summary>
    public static int StandardMethodSuffixStart(ReadOnlySpan<byte> area)
    {
        int best = -1;
        foreach (var known in StandardMethods)
        {
            if (area.EndsWith(known) && (best < 0 || area.Length - known.Length < best))
            {
                best = area.Length - known.Length;
            }
        }

        return best;
    }

    /// <summary>
    /// Whether <paramref name="prefix"/> (no line end yet) can still become a valid start line; lets
    /// garbage be rejected before a whole head's worth of it has arrived.
    /// </summary>
    /// <param name="prefix">The first bytes of a line.</param>
    /// <param name="standardMethod">Whether it already shows a standard method followed by SP.</param>
    public static bool IsPlausiblePrefix(ReadOnlySpan<byte> prefix, out bool standardMethod)
    {
        standardMethod = false;
        if (prefix.IsEmpty)
        {
            return true;
        }

        return IsPlausibleStatusPrefix(prefix) || IsPlausibleRequestPrefix(prefix, out standardMethod);
    }

    private static bool IsPlausibleStatusPrefix(ReadOnlySpan<byte> prefix)
    {
        ReadOnlySpan<byte> pattern = "HTTP/1.0 000"u8;
        for (int i = 0; i < prefix.Length; i++)
        {
            byte b = prefix[i];
            if (i >= pattern.Length)
            {
                return i != 12 || b == (byte)' ' || b == (byte)'\r';
            }

            bool ok = pattern[i] == (byte)'0' ? (uint)(b - '0') <= 9 : b == pattern[i];
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPlausibleRequestPrefix(ReadOnlySpan<byte> prefix, out bool standardMethod)
    {
        standardMethod = false;
        int methodEnd = prefix.IndexOfAnyExcept(HttpCharacters.Token);
        if (methodEnd < 0)
        {
            return prefix.Length <= MaxMethodLength;
        }

        if (methodEnd == 0 || methodEnd > MaxMethodLength || prefix[methodEnd] != (byte)' ')
        {
            return false;
        }

        standardMethod = IsStandardMethod(prefix[..methodEnd]);
        var afterMethod = prefix[(methodEnd + 1)..];
        int targetEnd = afterMethod.IndexOfAny(HttpCharacters.InvalidTarget);
        if (targetEnd < 0)
        {
            return true;
        }

        if (targetEnd == 0 || afterMethod[targetEnd] != (byte)' ')
        {
            return false;
        }

        var version = afterMethod[(targetEnd + 1)..];
        ReadOnlySpan<byte> pattern = "HTTP/1."u8;
        int compared = Math.Min(version.Length, pattern.Length);
        if (!version[..compared].SequenceEqual(pattern[..compared]))
        {
            return false;
        }

        return version.Length <= VersionLength
            ? version.Length < VersionLength || (uint)(version[7] - '0') <= 9
            : version.Length == VersionLength + 1 && version[VersionLength] == (byte)'\r';
    }
}

/// <summary>Where the parts of a valid start line are; offsets from the line start.</summary>
/// <param name="MethodLength">Request: length of the method (it starts at 0).</param>
/// <param name="TargetStart">Request: offset of the target.</param>
/// <param name="TargetLength">Request: length of the target.</param>
/// <param name="MinorVersion">The x of HTTP/1.x.</param>
/// <param name="StatusCode">Response: the status code.</param>
internal readonly record struct StartLineParts(int MethodLength, int TargetStart, int TargetLength, int MinorVersion, int StatusCode);
