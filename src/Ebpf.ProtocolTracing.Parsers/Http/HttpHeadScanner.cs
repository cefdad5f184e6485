using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>The outcome of scanning a message head.</summary>
internal enum HeadScanStatus : byte
{
    /// <summary>The head is not complete yet; everything so far is valid.</summary>
    NeedMoreData = 0,

    /// <summary>The head ends at <see cref="HttpHeadScanner.HeadLength"/>.</summary>
    Complete = 1,

    /// <summary>The bytes are not an HTTP/1.x head (or break a limit).</summary>
    Invalid = 2,
}

/// <summary>
/// Finds the end of a message head and the facts that frame its body (Content-Length,
/// Transfer-Encoding, Upgrade, status), validating as it goes. Allocates nothing and keeps no strings.
/// </summary>
/// <remarks>
/// Resumable: the state remembers how many bytes of complete lines it has examined, so when the head
/// arrives in pieces each byte is looked at once. Lines may end in CRLF or a bare LF (RFC 9112 2.2).
/// obs-fold (a line starting with SP or HTAB, RFC 9112 5.2) is tolerated as a continuation of the
/// previous field, except after Content-Length or Transfer-Encoding, where it would make the framing
/// ambiguous and the head is invalid.
/// </remarks>
internal struct HttpHeadScanner
{
    /// <summary>Bytes of complete lines already examined, from the message start.</summary>
    public int Examined;

    /// <summary>Length of the complete head including its empty line.</summary>
    public int HeadLength;

    /// <summary>Header fields seen.</summary>
    public int HeaderCount;

    /// <summary>What the start line said.</summary>
    public HttpMessageKind Kind;

    /// <summary>The start line's parts.</summary>
    public StartLineParts StartLine;

    /// <summary>The Content-Length value, or -1 without one.</summary>
    public long ContentLength;

    /// <summary>Whether a Transfer-Encoding field was present.</summary>
    public bool HasTransferEncoding;

    /// <summary>Whether the last transfer coding is chunked.</summary>
    public bool IsChunked;

    /// <summary>Whether an Upgrade field was present.</summary>
    public bool HasUpgrade;

    /// <summary>Whether the method is HEAD.</summary>
    public bool IsHeadMethod;

    /// <summary>Whether the method is CONNECT.</summary>
    public bool IsConnectMethod;

    private bool _lastFieldFrames;

    /// <summary>A scanner for a new message.</summary>
    public static HttpHeadScanner Create() => new() { ContentLength = -1 };

    /// <summary>Scans a head that starts at the beginning of <paramref name="data"/>.</summary>
    /// <param name="scanner">The state, resumed from its last call on the same message.</param>
    /// <param name="data">The bytes from the message start.</param>
    /// <param name="maxHeadBytes">Longest head accepted.</param>
    /// <param name="maxHeaderCount">Most fields accepted.</param>
    public static HeadScanStatus Scan(ref HttpHeadScanner scanner, ReadOnlySpan<byte> data, int maxHeadBytes, int maxHeaderCount)
    {
        if (data.Length > maxHeadBytes)
        {
            data = data[..maxHeadBytes];
        }

        while (true)
        {
            var rest = data[scanner.Examined..];
            int lineEnd = rest.IndexOf((byte)'\n');
            if (lineEnd < 0)
            {
                return scanner.IncompleteLine(rest, data.Length >= maxHeadBytes);
            }

            var status = scanner.ProcessLine(rest[..lineEnd], maxHeaderCount);
            scanner.Examined += lineEnd + 1;
            if (status != HeadScanStatus.NeedMoreData)
            {
                scanner.HeadLength = scanner.Examined;
                return status;
            }
        }
    }

    /// <summary>Scans a head that starts at the beginning of <paramref name="data"/>, which may span segments.</summary>
    /// <param name="scanner">The state, resumed from its last call on the same message.</param>
    /// <param name="data">The bytes from the message start.</param>
    /// <param name="maxHeadBytes">Longest head accepted.</param>
    /// <param name="maxHeaderCount">Most fields accepted.</param>
    public static HeadScanStatus Scan(ref HttpHeadScanner scanner, in ReadOnlySequence<byte> data, int maxHeadBytes, int maxHeaderCount)
    {
        if (data.IsSingleSegment)
        {
            return Scan(ref scanner, data.FirstSpan, maxHeadBytes, maxHeaderCount);
        }

        var bounded = data.Length > maxHeadBytes ? data.Slice(0, maxHeadBytes) : data;
        var reader = new SequenceReader<byte>(bounded);
        reader.Advance(scanner.Examined);
        while (true)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                return scanner.IncompleteLine(reader.UnreadSequence, bounded.Length >= maxHeadBytes);
            }

            var status = ProcessLine(ref scanner, line, maxHeaderCount);
            scanner.Examined += (int)line.Length + 1;
            if (status != HeadScanStatus.NeedMoreData)
            {
                scanner.HeadLength = scanner.Examined;
                return status;
            }
        }
    }

    private static HeadScanStatus ProcessLine(ref HttpHeadScanner scanner, in ReadOnlySequence<byte> line, int maxHeaderCount)
    {
        if (line.IsSingleSegment)
        {
            return scanner.ProcessLine(line.FirstSpan, maxHeaderCount);
        }

        // A line split across segments is copied once; lines are bounded by the head limit.
        int length = (int)line.Length;
        byte[]? rented = null;
        Span<byte> buffer = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            line.CopyTo(buffer);
            return scanner.ProcessLine(buffer[..length], maxHeaderCount);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private readonly HeadScanStatus IncompleteLine(ReadOnlySpan<byte> partial, bool atLimit)
    {
        if (atLimit)
        {
            return HeadScanStatus.Invalid;
        }

        // Reject garbage early instead of waiting for a whole head's worth of it.
        if (Examined == 0 && !HttpStartLine.IsPlausiblePrefix(partial.Length > 64 ? partial[..64] : partial, out _))
        {
            return HeadScanStatus.Invalid;
        }

        return HeadScanStatus.NeedMoreData;
    }

    private readonly HeadScanStatus IncompleteLine(in ReadOnlySequence<byte> partial, bool atLimit)
    {
        if (atLimit || Examined != 0)
        {
            return atLimit ? HeadScanStatus.Invalid : HeadScanStatus.NeedMoreData;
        }

        Span<byte> prefix = stackalloc byte[64];
        int length = (int)Math.Min(partial.Length, prefix.Length);
        partial.Slice(0, length).CopyTo(prefix);
        return IncompleteLine(prefix[..length], atLimit: false);
    }

    private HeadScanStatus ProcessLine(ReadOnlySpan<byte> line, int maxHeaderCount)
    {
        line = HttpCharacters.WithoutCarriageReturn(line);
        if (Examined == 0)
        {
            return ProcessStartLine(line);
        }

        if (line.IsEmpty)
        {
            return HeadScanStatus.Complete;
        }

        if (line[0] == (byte)' ' || line[0] == (byte)'\t')
        {
            // obs-fold: continues the previous field's value.
            return HeaderCount > 0 && !_lastFieldFrames && HttpCharacters.IsFieldValue(line)
                ? HeadScanStatus.NeedMoreData
                : HeadScanStatus.Invalid;
        }

        if (++HeaderCount > maxHeaderCount)
        {
            return HeadScanStatus.Invalid;
        }

        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return HeadScanStatus.Invalid;
        }

        var name = line[..colon];
        var value = line[(colon + 1)..];
        if (name.IndexOfAnyExcept(HttpCharacters.Token) >= 0 || !HttpCharacters.IsFieldValue(value))
        {
            return HeadScanStatus.Invalid;
        }

        _lastFieldFrames = false;
        return name.Length switch
        {
            14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8) => OnContentLength(HttpCharacters.TrimWhitespace(value)),
            17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8) => OnTransferEncoding(HttpCharacters.TrimWhitespace(value)),
            7 when Ascii.EqualsIgnoreCase(name, "Upgrade"u8) => OnUpgrade(),
            _ => HeadScanStatus.NeedMoreData,
        };
    }

    private HeadScanStatus ProcessStartLine(ReadOnlySpan<byte> line)
    {
        Kind = HttpStartLine.Classify(line, out StartLine);
        if (Kind == HttpMessageKind.None)
        {
            return HeadScanStatus.Invalid;
        }

        if (Kind == HttpMessageKind.Request)
        {
            var method = line[..StartLine.MethodLength];
            IsHeadMethod = method.SequenceEqual("HEAD"u8);
            IsConnectMethod = method.SequenceEqual("CONNECT"u8);
        }

        return HeadScanStatus.NeedMoreData;
    }

    private HeadScanStatus OnContentLength(ReadOnlySpan<byte> value)
    {
        _lastFieldFrames = true;

        // Digits only (no sign, no list); a repeated field must agree (RFC 9112 6.3).
        if (value.IsEmpty || value.Length > 18 || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0
            || !Utf8Parser.TryParse(value, out long length, out int used) || used != value.Length)
        {
            return HeadScanStatus.Invalid;
        }

        if (ContentLength >= 0 && ContentLength != length)
        {
            return HeadScanStatus.Invalid;
        }

        ContentLength = length;
        return HeadScanStatus.NeedMoreData;
    }

    private HeadScanStatus OnTransferEncoding(ReadOnlySpan<byte> value)
    {
        _lastFieldFrames = true;
        HasTransferEncoding = true;
        int lastComma = value.LastIndexOf((byte)',');
        var lastCoding = HttpCharacters.TrimWhitespace(lastComma < 0 ? value : value[(lastComma + 1)..]);
        IsChunked = Ascii.EqualsIgnoreCase(lastCoding, "chunked"u8);
        return HeadScanStatus.NeedMoreData;
    }

    private HeadScanStatus OnUpgrade()
    {
        HasUpgrade = true;
        return HeadScanStatus.NeedMoreData;
    }
}
