using System.Buffers;
using System.Buffers.Binary;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>
/// One connection's PostgreSQL state: frames both streams (type byte and length; the untyped messages
/// of the startup phase), reads the fields of the messages a record needs, skips the rest as it arrives,
/// and hands frontend messages and backend answers to the matcher.
/// </summary>
/// <remarks>
/// Message formats: https://www.postgresql.org/docs/current/protocol-message-formats.html.
/// On <see cref="ParseStatus.Invalid"/> the consumed position is one byte past the bad message's start.
/// </remarks>
internal sealed class PostgresConnectionParser : IConnectionParser
{
    private readonly IParseContext _context;
    private readonly PostgresParserOptions _options;
    private readonly PostgresResponseMatcher _matcher;
    private readonly PostgresFrontendReader _frontend;
    private readonly StreamState[] _streams = [new(), new()];
    private bool _stopped;

    public PostgresConnectionParser(IParseContext context, PostgresParserOptions options)
    {
        _context = context;
        _options = options;
        _matcher = new PostgresResponseMatcher(context, options);
        _frontend = new PostgresFrontendReader(_matcher, options);
        switch (context.Connection.Role)
        {
            case ConnectionRole.Client:
                _matcher.RequestDirection = StreamDirection.Egress;
                break;
            case ConnectionRole.Server:
                _matcher.RequestDirection = StreamDirection.Ingress;
                break;
            default:
                // Opened before tracing started: find the first message boundary in each stream.
                _streams[0].Synced = false;
                _streams[1].Synced = false;
                break;
        }
    }

    /// <summary>Frontend messages waiting for their answers (for tests that check the bound).</summary>
    internal int PendingCount => _matcher.PendingCount;

    /// <summary>Named statements remembered (for tests that check the bound).</summary>
    internal int CachedStatementCount => _frontend.CachedStatementCount;

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        if (_stopped)
        {
            consumed = data.Start;
            return ParseStatus.Stop;
        }

        var stream = _streams[(int)direction];
        long offset = 0;
        var status = ParseStatus.Continue;
        while (status == ParseStatus.Continue)
        {
            long before = offset;
            status = Step(direction, stream, data.Slice(offset), streamPosition + offset, ref offset);
            if (status == ParseStatus.Continue && offset == before)
            {
                break;
            }
        }

        if (status == ParseStatus.Invalid)
        {
            offset = Math.Min(offset + 1, data.Length);
        }

        consumed = data.GetPosition(offset);
        return status;
    }

    private ParseStatus Step(StreamDirection direction, StreamState stream, ReadOnlySequence<byte> rest, long position, ref long offset)
    {
        if (rest.IsEmpty)
        {
            return ParseStatus.Continue;
        }

        if (stream.SkipRemaining > 0)
        {
            long take = Math.Min(stream.SkipRemaining, rest.Length);
            stream.SkipRemaining -= take;
            offset += take;
            return ParseStatus.Continue;
        }

        var side = SideOf(direction);
        if (!stream.Synced)
        {
            if (!PostgresFrameFinder.TryFind(rest, side, allowStartup: side != PostgresStreamSide.Backend, out long start, out bool isStartup, out bool frontend))
            {
                // No start in what is here; keep a possible header's first bytes.
                offset += Math.Max(0, rest.Length - 4);
                return ParseStatus.Continue;
            }

            offset += start;
            stream.Synced = true;
            stream.StartupPhase = isStartup;
            if (side == PostgresStreamSide.Either && (isStartup || PostgresMessageTypes.IsFrontendOnly(PeekType(rest.Slice(start)))))
            {
                LearnRequestDirection(frontend ? direction : Other(direction));
            }

            if (!frontend || side == PostgresStreamSide.Backend)
            {
                _matcher.BackendJoined();
            }

            return start == 0 ? Step(direction, stream, rest, position, ref offset) : ParseStatus.Continue;
        }

        if (stream.StartupPhase && side != PostgresStreamSide.Backend && rest.FirstSpan[0] != 0)
        {
            // An untyped message starts with its length's high byte, always 0; no type byte is 0. So
            // typed messages here mean the startup was not seen.
            stream.StartupPhase = false;
        }

        if (stream.StartupPhase && side != PostgresStreamSide.Backend)
        {
            return ReadUntyped(direction, stream, rest, position, ref offset);
        }

        if (side == PostgresStreamSide.Backend && _matcher.ExpectsEncryptionAnswer)
        {
            byte answer = rest.FirstSpan[0];
            _matcher.OnEncryptionAnswer(answer, _context.TimeAt(direction, position));
            offset += 1;
            if (answer is (byte)'S' or (byte)'G')
            {
                // The rest of the connection is TLS or GSS-encrypted.
                _stopped = true;
                return ParseStatus.Stop;
            }

            return ParseStatus.Continue;
        }

        return ReadTyped(direction, stream, rest, position, side, ref offset);
    }

    private ParseStatus ReadTyped(StreamDirection direction, StreamState stream, ReadOnlySequence<byte> rest, long position, PostgresStreamSide side, ref long offset)
    {
        if (rest.Length < 5)
        {
            return ParseStatus.Continue;
        }

        Span<byte> header = stackalloc byte[5];
        rest.Slice(0, 5).CopyTo(header);
        byte type = header[0];
        int length = BinaryPrimitives.ReadInt32BigEndian(header[1..]);
        bool frontend;
        switch (side)
        {
            case PostgresStreamSide.Frontend:
                frontend = true;
                break;
            case PostgresStreamSide.Backend:
                frontend = false;
                break;
            default:
                if (PostgresMessageTypes.IsFrontendOnly(type))
                {
                    LearnRequestDirection(direction);
                    frontend = true;
                }
                else if (PostgresMessageTypes.IsBackendOnly(type))
                {
                    LearnRequestDirection(Other(direction));
                    frontend = false;
                }
                else if (PostgresMessageTypes.IsPlausibleLength(type, frontend: true, length) || PostgresMessageTypes.IsPlausibleLength(type, frontend: false, length))
                {
                    // Either side's message, and we cannot tell whose: skip it.
                    offset += 5;
                    stream.SkipRemaining = length - 4;
                    return ParseStatus.Continue;
                }
                else
                {
                    return Lose(direction, stream, frontend: true);
                }

                break;
        }

        if (!(frontend ? PostgresMessageTypes.IsFrontend(type) : PostgresMessageTypes.IsBackend(type))
            || !PostgresMessageTypes.IsPlausibleLength(type, frontend, length))
        {
            return Lose(direction, stream, frontend);
        }

        int bodyLength = length - 4;
        int headLength = !PostgresMessageTypes.HasUsefulBody(type, frontend) || (type == (byte)'p' && _options.RedactSecrets)
            ? 0
            : Math.Min(bodyLength, _options.MaxMessageHeadBytes);
        if (rest.Length < 5 + headLength)
        {
            return ParseStatus.Continue;
        }

        var time = _context.TimeAt(direction, position);
        var bodySequence = rest.Slice(5, headLength);
        byte[]? rented = null;
        ReadOnlySpan<byte> body;
        if (bodySequence.IsSingleSegment)
        {
            body = bodySequence.FirstSpan;
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent(headLength);
            bodySequence.CopyTo(rented);
            body = rented.AsSpan(0, headLength);
        }

        try
        {
            if (frontend)
            {
                _frontend.OnMessage(type, body, time);
            }
            else
            {
                _matcher.OnBackendMessage(type, body, time);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        offset += 5 + headLength;
        stream.SkipRemaining = bodyLength - headLength;
        return ParseStatus.Continue;
    }

    private ParseStatus ReadUntyped(StreamDirection direction, StreamState stream, ReadOnlySequence<byte> rest, long position, ref long offset)
    {
        if (rest.Length < 8)
        {
            return ParseStatus.Continue;
        }

        Span<byte> header = stackalloc byte[8];
        rest.Slice(0, 8).CopyTo(header);
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length < 8 || length > PostgresMessageTypes.MaxStartupLength)
        {
            return Lose(direction, stream, frontend: true);
        }

        if (rest.Length < length)
        {
            return ParseStatus.Continue;
        }

        var message = rest.Slice(0, length);
        byte[] bytes = message.IsSingleSegment ? [] : message.ToArray();
        var span = message.IsSingleSegment ? message.FirstSpan : bytes;
        var outcome = _frontend.OnUntypedMessage(span[4..], _context.TimeAt(direction, position));
        if (outcome == PostgresUntypedOutcome.Invalid)
        {
            return Lose(direction, stream, frontend: true);
        }

        LearnRequestDirection(direction);
        stream.StartupPhase = outcome == PostgresUntypedOutcome.StillStartupPhase;
        offset += length;
        return ParseStatus.Continue;
    }

    private ParseStatus Lose(StreamDirection direction, StreamState stream, bool frontend)
    {
        LoseStream(stream, frontend);
        return ParseStatus.Invalid;
    }

    private void LoseStream(StreamState stream, bool frontend)
    {
        stream.SkipRemaining = 0;
        stream.StartupPhase = false;
        if (frontend)
        {
            _matcher.OnFrontendLost();
        }
        else
        {
            _matcher.OnBackendLost();
        }
    }

    private static byte PeekType(in ReadOnlySequence<byte> data) => data.IsEmpty ? (byte)0 : data.FirstSpan[0];

    private static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;

    private void LearnRequestDirection(StreamDirection direction) => _matcher.RequestDirection ??= direction;

    private PostgresStreamSide SideOf(StreamDirection direction) => _matcher.RequestDirection is { } requests
        ? (requests == direction ? PostgresStreamSide.Frontend : PostgresStreamSide.Backend)
        : PostgresStreamSide.Either;

    public bool OnGap(StreamDirection direction, long length)
    {
        var stream = _streams[(int)direction];
        if (_stopped || length <= 0)
        {
            return true;
        }

        if (stream.SkipRemaining >= length)
        {
            // Inside the tail of a message whose fields were already read.
            stream.SkipRemaining -= length;
            return true;
        }

        if (stream.Synced)
        {
            LoseStream(stream, SideOf(direction) != PostgresStreamSide.Backend);
        }

        return false;
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        var stream = _streams[(int)direction];
        var side = SideOf(direction);
        if (PostgresFrameFinder.TryFind(data, side, allowStartup: false, out long offset, out _, out bool frontend))
        {
            frameStart = data.GetPosition(offset);
            stream.Synced = true;
            stream.SkipRemaining = 0;
            if (!frontend)
            {
                _matcher.BackendJoined();
            }

            return true;
        }

        frameStart = data.Start;
        return false;
    }

    public void Complete() => _matcher.Complete();

    private sealed class StreamState
    {
        /// <summary>Whether the next byte is a message start (false until the first start is found in a joined stream).</summary>
        public bool Synced { get; set; } = true;

        /// <summary>Whether untyped messages (StartupMessage, SSLRequest, …) are expected; true at a connection's start.</summary>
        public bool StartupPhase { get; set; } = true;

        /// <summary>Bytes of the current message left to skip unread.</summary>
        public long SkipRemaining { get; set; }
    }
}
