using System.Buffers;
using System.Buffers.Binary;
using Ebpf.ProtocolTracing.Grpc.Protobuf;
using Ebpf.ProtocolTracing.Http2.Hpack;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Http2;

/// <summary>
/// One connection's HTTP/2 state (RFC 9113): reads each direction frame by frame, streams DATA payloads
/// to their streams as they arrive, assembles and HPACK-decodes header blocks, and stitches each stream's
/// request and response into a record.
/// </summary>
/// <remarks>
/// Frames that need their whole payload (header blocks, control frames) are consumed only once complete;
/// DATA, padding and unknown frames are consumed as they arrive, which is also where a capture gap can be
/// absorbed. On <see cref="ParseStatus.Invalid"/> the consumed position is one byte past the bad frame's
/// start, so a resync never finds it again.
/// </remarks>
internal sealed partial class Http2ConnectionParser : IConnectionParser
{
    private readonly IParseContext _context;
    private readonly Http2ParserOptions _options;
    private readonly Http2DirectionState[] _directions = [new(), new()];
    private readonly Http2StreamTable _streams;
    private readonly Http2RecordBuilder _builder;
    private readonly List<HpackField> _decodedFields = [];
    private StreamDirection? _clientDirection;

    public Http2ConnectionParser(IParseContext context, Http2ParserOptions options, ProtobufRenderer? renderer)
    {
        _context = context;
        _options = options;
        _streams = new Http2StreamTable(options.MaxOpenStreams, options.MaxBodyBytes);
        _builder = new Http2RecordBuilder(context, options, renderer);
    }

    /// <summary>Streams followed now (for tests of the bound).</summary>
    internal int OpenStreamCount => _streams.Count;

    /// <summary>Streams evicted because too many were open.</summary>
    internal long EvictedStreamCount => _streams.Evicted;

    /// <summary>The direction requests travel in, once known.</summary>
    internal StreamDirection? ClientDirection => _clientDirection;

    /// <summary>The state of one direction (for tests).</summary>
    internal Http2DirectionState Direction(StreamDirection direction) => _directions[(int)direction];

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        var state = _directions[(int)direction];
        long offset = 0;
        var status = ParseStatus.Continue;
        if (!state.Started)
        {
            switch (Http2Preface.Match(data))
            {
                case PrefaceMatch.NeedMoreData:
                    consumed = data.Start;
                    return ParseStatus.Continue;
                case PrefaceMatch.Yes:
                    state.PrefaceSeen = true;
                    _clientDirection ??= direction;
                    offset = Http2Preface.Bytes.Length;
                    break;
            }

            state.Started = true;
        }

        while (true)
        {
            var rest = data.Slice(offset);
            long before = offset;
            status = state.Phase switch
            {
                Http2Phase.Data => ReadData(direction, state, rest, ref offset),
                Http2Phase.Skip => Skip(state, rest, ref offset),
                _ => ReadFrame(direction, state, rest, streamPosition + offset, ref offset),
            };
            if (status != ParseStatus.Continue || offset == before)
            {
                break;
            }
        }

        if (status == ParseStatus.Invalid)
        {
            LoseDirection(direction);
            offset = Math.Min(offset + 1, data.Length);
        }

        consumed = data.GetPosition(offset);
        return status;
    }

    public bool OnGap(StreamDirection direction, long length)
    {
        var state = _directions[(int)direction];
        switch (state.Phase)
        {
            case Http2Phase.Data when length <= state.Remaining:
                state.Remaining -= length;
                if (state.DataStream is { } stream)
                {
                    var half = stream.Half(direction);
                    half.Body.AddUncaptured(length);
                    half.Grpc?.OnGap(length);
                }

                if (state.Remaining == 0)
                {
                    EndDataPayload(direction, state);
                }

                return true;

            case Http2Phase.Skip when length <= state.Remaining:
                state.Remaining -= length;
                if (state.Remaining == 0)
                {
                    state.Phase = Http2Phase.Frames;
                }

                return true;

            default:
                LoseDirection(direction);
                return false;
        }
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        // Unknown bytes are judged by the limit in force: the receiver's advertised maximum, else the default
        // 16 KiB (a 24-bit length read from garbage is rarely that small, which is what makes a match likely).
        int advertised = _directions[(int)direction].MaxFrameSize;
        int limit = advertised == Http2FrameHeader.ProtocolMaxLength ? Http2FrameHeader.DefaultMaxFrameSize : advertised;
        return Http2FrameFinder.TryFind(data, Math.Min(limit, _options.MaxFrameSize), out frameStart);
    }

    public void Complete()
    {
        foreach (var stream in _streams.TakeAll())
        {
            _builder.Emit(stream, _clientDirection, lost: false);
        }
    }

    private ParseStatus ReadFrame(StreamDirection direction, Http2DirectionState state, ReadOnlySequence<byte> rest, long position, ref long offset)
    {
        if (!Http2FrameHeader.TryRead(rest, out var header))
        {
            return ParseStatus.Continue;
        }

        int maxLength = Math.Min(state.MaxFrameSize, _options.MaxFrameSize);
        if (!header.IsWellFormed(maxLength))
        {
            return ParseStatus.Invalid;
        }

        EnsureDecoder(state, header);
        if (state.ExpectContinuation && (header.Type != Http2FrameType.Continuation || header.StreamId != state.BlockStreamId))
        {
            // RFC 9113 6.10: nothing may interleave with a header block.
            return ParseStatus.Invalid;
        }

        switch (header.Type)
        {
            case Http2FrameType.Data:
                return StartData(direction, state, header, rest, ref offset);

            case Http2FrameType.GoAway:
                return ReadGoAway(direction, state, header, rest, ref offset);

            case Http2FrameType.Headers:
            case Http2FrameType.PushPromise:
            case Http2FrameType.Continuation:
            case Http2FrameType.Settings:
            case Http2FrameType.RstStream:
            case Http2FrameType.Ping:
            case Http2FrameType.Priority:
            case Http2FrameType.WindowUpdate:
                {
                    if (header.Length > _options.MaxHeaderBlockBytes)
                    {
                        return ParseStatus.Invalid;
                    }

                    long frameLength = Http2FrameHeader.Size + header.Length;
                    if (rest.Length < frameLength)
                    {
                        return ParseStatus.Continue;
                    }

                    var payload = rest.Slice(Http2FrameHeader.Size, header.Length);
                    var status = payload.IsSingleSegment
                        ? ReadWholeFrame(direction, state, header, payload.FirstSpan, position)
                        : ReadWholeFrame(direction, state, header, payload.ToArray(), position);
                    if (status == ParseStatus.Continue)
                    {
                        offset += frameLength;
                    }

                    return status;
                }

            default:
                // Unknown types are ignored (RFC 9113 4.1, 5.5).
                offset += Http2FrameHeader.Size;
                BeginSkip(state, header.Length);
                return ParseStatus.Continue;
        }
    }

    private ParseStatus ReadWholeFrame(StreamDirection direction, Http2DirectionState state, Http2FrameHeader header, ReadOnlySpan<byte> payload, long position)
    {
        switch (header.Type)
        {
            case Http2FrameType.Headers:
            case Http2FrameType.PushPromise:
                return StartHeaderBlock(direction, state, header, payload, position);
            case Http2FrameType.Continuation:
                return ContinueHeaderBlock(direction, state, header, payload);
            case Http2FrameType.Settings:
                return header.Has(Http2Flags.Ack) ? ParseStatus.Continue : ApplySettings(direction, payload);
            case Http2FrameType.RstStream:
                OnReset(header.StreamId, BinaryPrimitives.ReadUInt32BigEndian(payload));
                return ParseStatus.Continue;
            default:
                // PING, PRIORITY and WINDOW_UPDATE say nothing about requests and responses.
                return ParseStatus.Continue;
        }
    }

    private ParseStatus StartHeaderBlock(StreamDirection direction, Http2DirectionState state, Http2FrameHeader header, ReadOnlySpan<byte> payload, long position)
    {
        int start = 0;
        int end = payload.Length;
        if (header.Has(Http2Flags.Padded))
        {
            if (payload.IsEmpty)
            {
                return ParseStatus.Invalid;
            }

            end -= payload[0];
            start = 1;
        }

        if (header.Type == Http2FrameType.Headers && header.Has(Http2Flags.Priority))
        {
            start += 5;
        }

        int promised = 0;
        if (header.Type == Http2FrameType.PushPromise)
        {
            if (end - start < 4)
            {
                return ParseStatus.Invalid;
            }

            promised = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload[start..]) & 0x7FFF_FFFF);
            start += 4;
        }

        if (end < start)
        {
            return ParseStatus.Invalid;
        }

        state.BlockLength = 0;
        state.BlockStreamId = header.StreamId;
        state.BlockPromisedStreamId = promised;
        state.BlockEndsStream = header.Type == Http2FrameType.Headers && header.Has(Http2Flags.EndStream);
        state.BlockTime = _context.TimeAt(direction, position);
        if (!state.AppendToBlock(payload[start..end], _options.MaxHeaderBlockBytes))
        {
            return ParseStatus.Invalid;
        }

        if (header.Has(Http2Flags.EndHeaders))
        {
            FinishHeaderBlock(direction, state);
        }
        else
        {
            state.ExpectContinuation = true;
        }

        return ParseStatus.Continue;
    }

    private ParseStatus ContinueHeaderBlock(StreamDirection direction, Http2DirectionState state, Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (!state.ExpectContinuation)
        {
            // The block's first frame was lost (we resynced onto its continuation): its inserts are unknown.
            state.Hpack?.MarkUnknown();
            if (_streams.Find(header.StreamId) is { } stream)
            {
                stream.DataLost = true;
            }

            return ParseStatus.Continue;
        }

        if (!state.AppendToBlock(payload, _options.MaxHeaderBlockBytes))
        {
            return ParseStatus.Invalid;
        }

        if (header.Has(Http2Flags.EndHeaders))
        {
            state.ExpectContinuation = false;
            FinishHeaderBlock(direction, state);
        }

        return ParseStatus.Continue;
    }

    private ParseStatus ApplySettings(StreamDirection direction, ReadOnlySpan<byte> payload)
    {
        // Settings bind what the sender receives: the other direction's frames and header blocks.
        var receiving = _directions[(int)Other(direction)];
        for (int i = 0; i + 6 <= payload.Length; i += 6)
        {
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
            uint value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
            switch (id)
            {
                case 0x1: // SETTINGS_HEADER_TABLE_SIZE
                    receiving.AllowedTableSize = (int)Math.Min(value, int.MaxValue);
                    receiving.Hpack?.SetAllowedTableSize(receiving.AllowedTableSize);
                    break;
                case 0x5: // SETTINGS_MAX_FRAME_SIZE (RFC 9113 6.5.2: 2^14 … 2^24−1)
                    if (value is < Http2FrameHeader.DefaultMaxFrameSize or > Http2FrameHeader.ProtocolMaxLength)
                    {
                        return ParseStatus.Invalid;
                    }

                    receiving.MaxFrameSize = (int)value;
                    break;
            }
        }

        return ParseStatus.Continue;
    }

    private ParseStatus StartData(StreamDirection direction, Http2DirectionState state, Http2FrameHeader header, ReadOnlySequence<byte> rest, ref long offset)
    {
        int padding = 0;
        int headerLength = Http2FrameHeader.Size;
        if (header.Has(Http2Flags.Padded))
        {
            if (rest.Length < Http2FrameHeader.Size + 1)
            {
                return ParseStatus.Continue;
            }

            padding = rest.Slice(Http2FrameHeader.Size, 1).FirstSpan[0];
            headerLength++;
            if (header.Length == 0 || padding > header.Length - 1)
            {
                return ParseStatus.Invalid;
            }
        }

        offset += headerLength;
        var stream = _streams.Find(header.StreamId);
        state.Phase = Http2Phase.Data;
        state.Remaining = header.Length - (headerLength - Http2FrameHeader.Size) - padding;
        state.PaddingAfter = padding;
        state.DataStream = stream;
        state.DataEndsStream = header.Has(Http2Flags.EndStream);
        if (stream is not null)
        {
            stream.Half(direction).Seen = true;
        }

        if (state.Remaining == 0)
        {
            EndDataPayload(direction, state);
        }

        return ParseStatus.Continue;
    }

    private ParseStatus ReadData(StreamDirection direction, Http2DirectionState state, ReadOnlySequence<byte> rest, ref long offset)
    {
        long take = Math.Min(state.Remaining, rest.Length);
        if (take == 0)
        {
            return ParseStatus.Continue;
        }

        if (state.DataStream is { } stream)
        {
            var half = stream.Half(direction);
            foreach (var segment in rest.Slice(0, take))
            {
                half.Body.Append(segment.Span);
                half.Grpc?.Append(segment.Span);
            }
        }

        offset += take;
        state.Remaining -= take;
        if (state.Remaining == 0)
        {
            EndDataPayload(direction, state);
        }

        return ParseStatus.Continue;
    }

    private void EndDataPayload(StreamDirection direction, Http2DirectionState state)
    {
        var stream = state.DataStream;
        bool ends = state.DataEndsStream;
        int padding = state.PaddingAfter;
        state.DataStream = null;
        state.DataEndsStream = false;
        state.PaddingAfter = 0;
        BeginSkip(state, padding);
        if (ends && stream is not null)
        {
            stream.Half(direction).Ended = true;
            TryFinish(stream);
        }
    }

    private ParseStatus ReadGoAway(StreamDirection direction, Http2DirectionState state, Http2FrameHeader header, ReadOnlySequence<byte> rest, ref long offset)
    {
        const int Fixed = 8;
        if (rest.Length < Http2FrameHeader.Size + Fixed)
        {
            return ParseStatus.Continue;
        }

        Span<byte> fields = stackalloc byte[Fixed];
        rest.Slice(Http2FrameHeader.Size, Fixed).CopyTo(fields);
        int lastStreamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(fields) & 0x7FFF_FFFF);
        uint code = BinaryPrimitives.ReadUInt32BigEndian(fields[4..]);
        offset += Http2FrameHeader.Size + Fixed;

        // The debug data after the fixed fields may be long: skip it as it arrives.
        BeginSkip(state, header.Length - Fixed);
        OnGoAway(direction, lastStreamId, code);
        return ParseStatus.Continue;
    }

    private static ParseStatus Skip(Http2DirectionState state, ReadOnlySequence<byte> rest, ref long offset)
    {
        long take = Math.Min(state.Remaining, rest.Length);
        offset += take;
        state.Remaining -= take;
        if (state.Remaining == 0)
        {
            state.Phase = Http2Phase.Frames;
        }

        return ParseStatus.Continue;
    }

    private static void BeginSkip(Http2DirectionState state, long length)
    {
        state.Remaining = length;
        state.Phase = length > 0 ? Http2Phase.Skip : Http2Phase.Frames;
    }

    private void EnsureDecoder(Http2DirectionState state, Http2FrameHeader firstFrame)
    {
        if (state.Hpack is not null)
        {
            return;
        }

        // A direction that begins with the preface, or with the server's preface (a SETTINGS frame), starts
        // with an empty table; anything else joined a connection already in progress.
        bool fromStart = !state.LostBeforeDecoder
            && (state.PrefaceSeen || (firstFrame.Type == Http2FrameType.Settings && !firstFrame.Has(Http2Flags.Ack)));
        state.Hpack = new Hpack.HpackDecoder(_options.MaxHeaderTableSize, fromStart);
        state.Hpack.SetAllowedTableSize(state.AllowedTableSize);
    }

    /// <summary>The direction lost its place: partial frames are dropped, its header table is no longer trusted.</summary>
    private void LoseDirection(StreamDirection direction)
    {
        var state = _directions[(int)direction];
        state.Started = true;
        state.ResetFraming();
        if (state.Hpack is null)
        {
            state.LostBeforeDecoder = true;
        }
        else
        {
            state.Hpack.MarkUnknown();
        }

        foreach (var stream in _streams.All)
        {
            if (!stream.Half(direction).Ended)
            {
                stream.DataLost = true;
                stream.Half(direction).Grpc?.OnGap(long.MaxValue);
            }
        }
    }

    private static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;
}
