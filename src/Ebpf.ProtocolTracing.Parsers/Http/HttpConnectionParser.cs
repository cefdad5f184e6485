using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// One connection's HTTP/1.x state: reads both streams message by message (RFC 9112 6.3 decides each
/// body's length), consumes body bytes as they arrive, and hands finished exchanges to the matcher.
/// </summary>
/// <remarks>
/// On <see cref="ParseStatus.Invalid"/> the consumed position is one byte past the start of the bad
/// message, so a resync never finds the same bad start again.
/// </remarks>
internal sealed class HttpConnectionParser : IConnectionParser, IIdleTrimmableConnectionParser
{
    /// <summary>Longest chunk-size line (size and extensions) accepted.</summary>
    private const int MaxChunkSizeLine = 4096;

    private readonly IParseContext _context;
    private readonly HttpParserOptions _options;
    private readonly HttpExchangeMatcher _matcher;
    private readonly HttpSharedStrings _sharedStrings;
    private readonly HttpStreamState _egress = new();
    private readonly HttpStreamState _ingress = new();

    // Finished messages kept for the next ones (a request and a response per keep-alive exchange).
    private HttpMessage? _spare;
    private HttpMessage? _secondSpare;

    // An exchange ended since the connection began or was last trimmed (see EndMessage).
    private bool _exchangeEnded;
    private bool _stopped;

    public HttpConnectionParser(IParseContext context, HttpParserOptions options, HttpSharedStrings sharedStrings)
    {
        _context = context;
        _options = options;
        _sharedStrings = sharedStrings;
        _matcher = new HttpExchangeMatcher(context, options.MaxPendingRequests, options.MaxPendingBytesPerConnection);
    }

    /// <summary>Requests waiting for responses (for tests that check the bound).</summary>
    internal int PendingRequestCount => _matcher.PendingCount;

    /// <summary>Bytes the waiting requests are charged for (for tests that check the budget).</summary>
    internal long PendingRequestBytes => _matcher.PendingBytes;

    /// <summary>Requests emitted unanswered because the waiting ones went over the byte budget.</summary>
    internal long RequestsEvictedOverByteBudget => _matcher.EvictedOverByteBudget;

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        if (_stopped)
        {
            consumed = data.Start;
            return ParseStatus.Stop;
        }

        var stream = StreamOf(direction);
        long offset = 0;
        var status = ParseStatus.Continue;
        while (status == ParseStatus.Continue)
        {
            var rest = data.Slice(offset);
            long before = offset;
            status = Step(direction, stream, rest, streamPosition + offset, ref offset);
            if (status == ParseStatus.Continue && offset == before && !MovesWithoutBytes(stream.Phase))
            {
                break;
            }
        }

        if (status == PauseStatus)
        {
            status = ParseStatus.Continue;
        }
        else if (status == ParseStatus.Invalid)
        {
            // Resync strictly after the bad message's first byte.
            offset = Math.Min(offset + 1, data.Length);
        }

        consumed = data.GetPosition(offset);
        return status;
    }

    /// <summary>Phases that may change without consuming a byte, so the loop must run again.</summary>
    private static bool MovesWithoutBytes(HttpStreamPhase phase) => phase is HttpStreamPhase.Idle or HttpStreamPhase.Head;

    private ParseStatus Step(StreamDirection direction, HttpStreamState stream, ReadOnlySequence<byte> rest, long position, ref long offset)
    {
        switch (stream.Phase)
        {
            case HttpStreamPhase.Idle:
                {
                    long skipped = SkipLineEnds(rest);
                    offset += skipped;
                    if (skipped == rest.Length)
                    {
                        return Pause();
                    }

                    stream.Phase = HttpStreamPhase.Head;
                    stream.Scanner = HttpHeadScanner.Create();
                    stream.MessageStart = position + skipped;
                    return ParseStatus.Continue;
                }

            case HttpStreamPhase.Head:
                return ReadHead(direction, stream, rest, ref offset);

            case HttpStreamPhase.FixedBody:
            case HttpStreamPhase.ChunkData:
                {
                    long take = Math.Min(stream.Remaining, rest.Length);
                    if (take == 0)
                    {
                        return Pause();
                    }

                    stream.Message!.Body.Append(rest.Slice(0, take));
                    stream.Remaining -= take;
                    offset += take;
                    if (stream.Remaining == 0)
                    {
                        EndBodyPart(direction, stream);
                    }

                    return ParseStatus.Continue;
                }

            case HttpStreamPhase.ChunkSize:
                return ReadChunkSize(direction, stream, rest, ref offset);

            case HttpStreamPhase.ChunkDataEnd:
                return ReadChunkDataEnd(direction, stream, rest, ref offset);

            case HttpStreamPhase.Trailers:
                return ReadTrailerLine(direction, stream, rest, ref offset);

            case HttpStreamPhase.UntilClose:
                stream.Message!.Body.Append(rest);
                offset += rest.Length;
                return Pause();

            case HttpStreamPhase.AwaitingUpgrade:
                if (stream.Message is null || stream.Message.StaysHttp || LooksLikeHttp(rest))
                {
                    // Declined, or the client went on with plain requests: read them as HTTP/1.x.
                    stream.Reset();
                    return rest.IsEmpty ? Pause() : ParseStatus.Continue;
                }

                // Possibly the new protocol already (e.g. WebSocket frames): wait for the response to decide.
                return Pause();

            default:
                return Pause();
        }
    }

    private bool LooksLikeHttp(in ReadOnlySequence<byte> rest)
    {
        if (rest.IsEmpty)
        {
            return false;
        }

        var probe = HttpHeadScanner.Create();
        return HttpHeadScanner.Scan(ref probe, rest, _options.MaxHeaderBytes, _options.MaxHeaderCount) != HeadScanStatus.Invalid;
    }

    /// <summary>Internal outcome of a step: more bytes are needed; reported as <see cref="ParseStatus.Continue"/>.</summary>
    private const ParseStatus PauseStatus = (ParseStatus)(-1);

    /// <summary>Stops the loop: more bytes are needed.</summary>
    private static ParseStatus Pause() => PauseStatus;

    private ParseStatus ReadHead(StreamDirection direction, HttpStreamState stream, ReadOnlySequence<byte> rest, ref long offset)
    {
        HeadScanStatus scan;
        if (stream.Scanner.Examined == 0 && stream.PreviousHead is { } previous && previous.TryMatch(rest, out var repeatedScan))
        {
            stream.Scanner = repeatedScan;
            stream.HeadRepeats = true;
            scan = HeadScanStatus.Complete;
        }
        else
        {
            stream.HeadRepeats = false;
            scan = HttpHeadScanner.Scan(ref stream.Scanner, rest, _options.MaxHeaderBytes, _options.MaxHeaderCount);
        }

        if (scan == HeadScanStatus.NeedMoreData)
        {
            return Pause();
        }

        if (scan == HeadScanStatus.Invalid || !_matcher.Accepts(direction, stream.Scanner.Kind))
        {
            LoseStream(direction, stream);
            return ParseStatus.Invalid;
        }

        var head = rest.Slice(0, stream.Scanner.HeadLength);
        offset += stream.Scanner.HeadLength;
        return stream.Scanner.Kind == HttpMessageKind.Request
            ? StartRequest(direction, stream, head)
            : StartResponse(direction, stream, head);
    }

    private ParseStatus StartRequest(StreamDirection direction, HttpStreamState stream, in ReadOnlySequence<byte> head)
    {
        ref var scan = ref stream.Scanner;

        // A request with a transfer coding other than a final chunked has no knowable length (RFC 9112 6.3).
        if (scan.HasTransferEncoding && !scan.IsChunked)
        {
            LoseStream(direction, stream);
            return ParseStatus.Invalid;
        }

        var request = NewMessage(direction, stream, head);
        request.IsHeadMethod = scan.IsHeadMethod;
        request.IsConnectMethod = scan.IsConnectMethod;
        request.MayLeaveHttp = scan.IsConnectMethod || scan.HasUpgrade;
        _matcher.AddRequest(request, head.Length);
        stream.Message = request;
        BeginBody(direction, stream, scan.HasTransferEncoding ? -2 : Math.Max(scan.ContentLength, 0));
        return ParseStatus.Continue;
    }

    private ParseStatus StartResponse(StreamDirection direction, HttpStreamState stream, in ReadOnlySequence<byte> head)
    {
        ref var scan = ref stream.Scanner;
        int status = scan.StartLine.StatusCode;
        if (status is >= 100 and < 200 and not 101)
        {
            // Interim (e.g. 100 Continue): the final response still follows for the same request.
            stream.Reset();
            return ParseStatus.Continue;
        }

        var response = NewMessage(direction, stream, head);
        var request = _matcher.TakeRequestFor(response);
        stream.Message = response;
        stream.Request = request;

        if (status == 101 || (request is { IsConnectMethod: true } && status is >= 200 and < 300))
        {
            // The connection leaves HTTP/1.x: what follows is another protocol or a tunnel.
            _matcher.Emit(request, response, lost: false);
            stream.Reset();
            _stopped = true;
            return ParseStatus.Stop;
        }

        if (request is not null)
        {
            request.StaysHttp = true;
        }

        long length = request is { IsHeadMethod: true } || status is 204 or 304 ? 0
            : scan.HasTransferEncoding ? (scan.IsChunked ? -2 : -1)
            : scan.ContentLength;
        BeginBody(direction, stream, length);
        return ParseStatus.Continue;
    }

    /// <summary>Starts reading a body: a length, -1 for until close, -2 for chunked.</summary>
    private void BeginBody(StreamDirection direction, HttpStreamState stream, long length)
    {
        switch (length)
        {
            case -2:
                stream.Phase = HttpStreamPhase.ChunkSize;
                break;
            case -1:
                stream.Phase = HttpStreamPhase.UntilClose;
                break;
            case 0:
                EndMessage(direction, stream);
                break;
            default:
                stream.Message!.Body.ExpectLength(length);
                stream.Remaining = length;
                stream.Phase = HttpStreamPhase.FixedBody;
                break;
        }
    }

    private HttpMessage NewMessage(StreamDirection direction, HttpStreamState stream, in ReadOnlySequence<byte> head)
    {
        var time = _context.TimeAt(direction, stream.MessageStart);
        var message = _spare;
        if (message is null)
        {
            message = new HttpMessage(stream.Scanner.Kind, time, _options.MaxBodyBytes);
        }
        else
        {
            _spare = _secondSpare;
            _secondSpare = null;
            message.Reuse(stream.Scanner.Kind, time);
        }

        if (stream.HeadRepeats)
        {
            stream.PreviousHead!.Fill(message);
        }
        else
        {
            // Heads are kept for comparison from a stream's second on (its strings exist once a head was
            // read), so a connection that makes one exchange and then idles keeps no copy of its head.
            var headSeen = stream.Strings is not null;
            HttpHeadReader.Read(message, head, stream.Scanner, _options.ActiveSecretHeaders, stream.Strings ??= new(), _sharedStrings);
            if (headSeen)
            {
                (stream.PreviousHead ??= new()).Remember(head, stream.Scanner, message);
            }
        }

        return message;
    }

    private void EndBodyPart(StreamDirection direction, HttpStreamState stream)
    {
        if (stream.Phase == HttpStreamPhase.ChunkData)
        {
            stream.Phase = HttpStreamPhase.ChunkDataEnd;
        }
        else
        {
            EndMessage(direction, stream);
        }
    }

    /// <summary>A message is complete: a response finishes its exchange; a request just waits.</summary>
    private void EndMessage(StreamDirection direction, HttpStreamState stream)
    {
        var message = stream.Message!;
        if (message.Kind == HttpMessageKind.Response)
        {
            var request = stream.Request;
            _matcher.Emit(request, message, lost: false);
            stream.Reset();
            // Spares from the second exchange on, as for heads: a one-exchange connection keeps none.
            if (_exchangeEnded)
            {
                KeepSpare(message);
                if (request is not null && !IsInUse(request))
                {
                    KeepSpare(request);
                }
            }

            _exchangeEnded = true;
            return;
        }

        _matcher.OnRequestBodyKept(message, message.Body.Kept.Length);
        stream.Reset();
        if (message.MayLeaveHttp && !message.StaysHttp)
        {
            stream.Phase = HttpStreamPhase.AwaitingUpgrade;
            stream.Message = message;
        }

    }

    /// <summary>Keeps an emitted message that nothing refers to any more for a later message.</summary>
    private void KeepSpare(HttpMessage message)
    {
        if (_spare is null)
        {
            _spare = message;
        }
        else
        {
            _secondSpare ??= message;
        }
    }

    /// <summary>
    /// Whether an emitted request is still part of the parse: waiting in the queue, or still being read
    /// (a response may come before its request's body has ended, or it may switch protocols).
    /// </summary>
    private bool IsInUse(HttpMessage request) =>
        request.IsPending
        || ReferenceEquals(_egress.Message, request) || ReferenceEquals(_ingress.Message, request)
        || ReferenceEquals(_egress.Request, request) || ReferenceEquals(_ingress.Request, request);

    private ParseStatus ReadChunkSize(StreamDirection direction, HttpStreamState stream, ReadOnlySequence<byte> rest, ref long offset)
    {
        if (!TryReadLine(rest, MaxChunkSizeLine, out var line, out long lineLength, out bool tooLong))
        {
            return tooLong ? Fail(direction, stream) : Pause();
        }

        // chunk-size [ chunk-ext ]: the extensions are skipped, they carry nothing the record keeps.
        int digits = line.IndexOfAnyExcept(HttpCharacters.HexDigit);
        if (digits < 0)
        {
            digits = line.Length;
        }

        if (digits == 0 || digits > 15 || (digits < line.Length && line[digits] is not ((byte)';' or (byte)' ' or (byte)'\t')))
        {
            return Fail(direction, stream);
        }

        long size = 0;
        foreach (byte b in line[..digits])
        {
            size = (size << 4) | (long)HexValue(b);
        }

        offset += lineLength;
        if (size == 0)
        {
            stream.Phase = HttpStreamPhase.Trailers;
            stream.TrailerBytes = 0;
        }
        else
        {
            stream.Remaining = size;
            stream.Phase = HttpStreamPhase.ChunkData;
        }

        return ParseStatus.Continue;
    }

    private ParseStatus ReadChunkDataEnd(StreamDirection direction, HttpStreamState stream, ReadOnlySequence<byte> rest, ref long offset)
    {
        if (rest.IsEmpty)
        {
            return Pause();
        }

        Span<byte> end = stackalloc byte[2];
        int available = (int)Math.Min(rest.Length, 2);
        rest.Slice(0, available).CopyTo(end);
        if (end[0] == (byte)'\n')
        {
            offset += 1;
        }
        else if (end[0] != (byte)'\r' || (available == 2 && end[1] != (byte)'\n'))
        {
            return Fail(direction, stream);
        }
        else if (available < 2)
        {
            return Pause();
        }
        else
        {
            offset += 2;
        }

        stream.Phase = HttpStreamPhase.ChunkSize;
        return ParseStatus.Continue;
    }

    private ParseStatus ReadTrailerLine(StreamDirection direction, HttpStreamState stream, ReadOnlySequence<byte> rest, ref long offset)
    {
        int budget = _options.MaxHeaderBytes - stream.TrailerBytes;
        if (!TryReadLine(rest, budget, out var line, out long lineLength, out bool tooLong))
        {
            return tooLong ? Fail(direction, stream) : Pause();
        }

        offset += lineLength;
        stream.TrailerBytes += (int)lineLength;
        if (line.IsEmpty)
        {
            EndMessage(direction, stream);
            return ParseStatus.Continue;
        }

        // Trailer fields are validated for framing but not kept.
        int colon = line.IndexOf((byte)':');
        return colon > 0 && HttpCharacters.IsToken(line[..colon]) && HttpCharacters.IsFieldValue(line[(colon + 1)..])
            ? ParseStatus.Continue
            : Fail(direction, stream);
    }

    /// <summary>Reads one line (without CR/LF) of at most <paramref name="maxLength"/> bytes including its end.</summary>
    private static bool TryReadLine(in ReadOnlySequence<byte> rest, int maxLength, out ReadOnlySpan<byte> line, out long lineLength, out bool tooLong)
    {
        var window = rest.Length > maxLength ? rest.Slice(0, maxLength) : rest;
        line = default;
        lineLength = 0;
        tooLong = false;
        var found = window.PositionOf((byte)'\n');
        if (found is null)
        {
            tooLong = window.Length >= maxLength;
            return false;
        }

        var lineBytes = window.Slice(0, found.Value);
        lineLength = lineBytes.Length + 1;
        line = HttpCharacters.WithoutCarriageReturn(lineBytes.IsSingleSegment ? lineBytes.FirstSpan : lineBytes.ToArray());
        return true;
    }

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    private static long SkipLineEnds(in ReadOnlySequence<byte> rest)
    {
        // Between messages the next byte almost always starts the next message: answer without a search.
        var first = rest.FirstSpan;
        if (!first.IsEmpty && first[0] is not ((byte)'\r' or (byte)'\n'))
        {
            return 0;
        }

        long skipped = 0;
        foreach (var segment in rest)
        {
            int index = segment.Span.IndexOfAnyExcept((byte)'\r', (byte)'\n');
            if (index >= 0)
            {
                return skipped + index;
            }

            skipped += segment.Length;
        }

        return skipped;
    }

    private ParseStatus Fail(StreamDirection direction, HttpStreamState stream)
    {
        LoseStream(direction, stream);
        return ParseStatus.Invalid;
    }

    /// <summary>
    /// The stream lost its place (a gap it could not absorb, or bytes that are not HTTP): the message in
    /// progress is finished as lost and the matcher learns that messages may be missing.
    /// </summary>
    private void LoseStream(StreamDirection direction, HttpStreamState stream)
    {
        var message = stream.Message;
        bool carriesRequests = _matcher.RequestDirection is { } requestDirection
            ? requestDirection == direction
            : stream.Scanner.Kind == HttpMessageKind.Request;
        if (message is not null && stream.Phase != HttpStreamPhase.AwaitingUpgrade)
        {
            message.DataLost = true;
            if (message.Kind == HttpMessageKind.Response)
            {
                _matcher.Emit(stream.Request, message, lost: true);
            }
        }
        else if (message is not null)
        {
            // Bytes after a protocol-switching request are not HTTP: let the request stream go on after a resync.
            message.StaysHttp = true;
        }

        if (carriesRequests)
        {
            _matcher.OnRequestsLost();
        }
        else
        {
            _matcher.OnResponsesLost();
        }

        stream.Reset();
    }

    public bool OnGap(StreamDirection direction, long length)
    {
        if (_stopped || length <= 0)
        {
            return true;
        }

        var stream = StreamOf(direction);
        switch (stream.Phase)
        {
            case HttpStreamPhase.UntilClose:
                stream.Message!.Body.AddUncaptured(length);
                return true;

            case HttpStreamPhase.FixedBody:
            case HttpStreamPhase.ChunkData:
                if (length <= stream.Remaining)
                {
                    stream.Message!.Body.AddUncaptured(length);
                    stream.Remaining -= length;
                    if (stream.Remaining == 0)
                    {
                        EndBodyPart(direction, stream);
                    }

                    return true;
                }

                if (stream.Phase == HttpStreamPhase.FixedBody)
                {
                    // The body itself is whole in size; what follows it is lost.
                    stream.Message!.Body.AddUncaptured(stream.Remaining);
                    stream.Remaining = 0;
                    EndMessage(direction, stream);
                    if (stream.Phase == HttpStreamPhase.AwaitingUpgrade)
                    {
                        stream.Message!.StaysHttp = true;
                        stream.Reset();
                    }
                }

                LoseStream(direction, stream);
                return false;

            default:
                LoseStream(direction, stream);
                return false;
        }
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        var expected = _matcher.RequestDirection is { } requestDirection
            ? (requestDirection == direction ? HttpMessageKind.Request : HttpMessageKind.Response)
            : HttpMessageKind.None;
        if (HttpFrameFinder.TryFind(data, expected, out long offset))
        {
            frameStart = data.GetPosition(offset);
            return true;
        }

        frameStart = data.Start;
        return false;
    }

    public void Complete()
    {
        CompleteStream(_egress);
        CompleteStream(_ingress);
        _matcher.Complete();
    }

    /// <summary>Forgets the previous heads (bytes and strings), the spare messages and the empty request queue's room; the next heads are decoded anew.</summary>
    public void TrimIdle()
    {
        _egress.ForgetHeads();
        _ingress.ForgetHeads();
        _spare = null;
        _secondSpare = null;
        _exchangeEnded = false;
        _matcher.TrimIdle();
    }

    /// <summary>Heads kept for comparison (0 to 2): what a connection holds between exchanges.</summary>
    internal int KeptHeadCount => (_egress.PreviousHead is null ? 0 : 1) + (_ingress.PreviousHead is null ? 0 : 1);

    /// <summary>Finished messages kept for reuse (0 to 2).</summary>
    internal int SpareMessageCount => (_spare is null ? 0 : 1) + (_secondSpare is null ? 0 : 1);

    private HttpStreamState StreamOf(StreamDirection direction) => direction == StreamDirection.Egress ? _egress : _ingress;

    private void CompleteStream(HttpStreamState stream)
    {
        var message = stream.Message;
        if (message is null || stream.Phase == HttpStreamPhase.AwaitingUpgrade)
        {
            stream.Reset();
            return;
        }

        // A body read until close ends here; any other body in progress was cut short.
        message.DataLost |= stream.Phase != HttpStreamPhase.UntilClose;
        if (message.Kind == HttpMessageKind.Response)
        {
            _matcher.Emit(stream.Request, message, lost: false);
        }

        stream.Reset();
    }
}
