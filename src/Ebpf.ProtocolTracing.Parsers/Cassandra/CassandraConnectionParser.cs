using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>
/// One CQL connection: frames both streams by the 9-byte header, decodes each body's kept head, pairs
/// responses with requests by stream id and remembers prepared statements.
/// </summary>
/// <remarks>
/// Protocol v5 wraps frames in CRC-checked segments once STARTUP is answered (native_protocol_v5.spec,
/// section 2): those are recognised — the parser stops at the READY or AUTH_SUCCESS of a v5 connection —
/// but not decoded.
/// </remarks>
internal sealed class CassandraConnectionParser : IConnectionParser
{
    private readonly IParseContext _context;
    private readonly CassandraParserOptions _options;
    private readonly CassandraStatementCache _statements;
    private readonly long[] _skipRemaining = new long[2];
    private readonly Dictionary<short, CassandraExchange> _pending = [];
    private readonly Queue<short> _order = new();
    private byte[] _scratch = [];

    public CassandraConnectionParser(IParseContext context, CassandraParserOptions options)
    {
        _context = context;
        _options = options;
        _statements = new CassandraStatementCache(options.MaxPreparedStatements);
    }

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        int d = (int)direction;
        var reader = new SequenceReader<byte>(data);
        var status = ParseStatus.Continue;
        Span<byte> headerBytes = stackalloc byte[CassandraFrameHeader.Size];
        while (true)
        {
            if (_skipRemaining[d] > 0)
            {
                long skip = Math.Min(_skipRemaining[d], reader.Remaining);
                reader.Advance(skip);
                _skipRemaining[d] -= skip;
                if (_skipRemaining[d] > 0)
                {
                    break;
                }

                continue;
            }

            if (!reader.TryCopyTo(headerBytes))
            {
                break;
            }

            var header = CassandraFrameHeader.Read(headerBytes);
            if (!header.IsPlausible(_options.MaxFrameBytes))
            {
                reader.Advance(1);
                status = ParseStatus.Invalid;
                break;
            }

            int kept = Math.Min(header.Length, _options.MaxFrameHeadBytes);
            if (reader.Remaining < CassandraFrameHeader.Size + kept)
            {
                break;
            }

            long start = streamPosition + reader.Consumed;
            var body = Body(reader.UnreadSequence.Slice(CassandraFrameHeader.Size, kept));
            reader.Advance(CassandraFrameHeader.Size + kept);
            _skipRemaining[d] = header.Length - kept;
            if (!OnFrame(direction, header, body, start))
            {
                status = ParseStatus.Stop;
                break;
            }
        }

        consumed = reader.Position;
        return status;
    }

    public bool OnGap(StreamDirection direction, long length)
    {
        int d = (int)direction;
        if (_skipRemaining[d] >= length)
        {
            _skipRemaining[d] -= length;
            return true;
        }

        _skipRemaining[d] = 0;
        foreach (var exchange in _pending.Values)
        {
            exchange.DataLost = true;
        }

        return false;
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        Span<byte> headerBytes = stackalloc byte[CassandraFrameHeader.Size];
        var reader = new SequenceReader<byte>(data);
        while (reader.TryCopyTo(headerBytes))
        {
            var header = CassandraFrameHeader.Read(headerBytes);
            // A response must answer a waiting stream (or be an EVENT on stream -1) to count as a frame start.
            if (header.IsPlausible(_options.MaxFrameBytes)
                && (!header.IsResponse || _pending.ContainsKey(header.Stream) || (header.Opcode == (byte)CassandraOpcode.Event && header.Stream == -1)))
            {
                frameStart = reader.Position;
                return true;
            }

            reader.Advance(1);
        }

        frameStart = default;
        return false;
    }

    public void Complete()
    {
        while (_order.TryDequeue(out var stream))
        {
            if (_pending.Remove(stream, out var exchange))
            {
                Emit(exchange, null, default, 0, 0);
            }
        }
    }

    private static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;

    private ReadOnlySpan<byte> Body(ReadOnlySequence<byte> body)
    {
        if (body.IsSingleSegment)
        {
            return body.FirstSpan;
        }

        if (_scratch.Length < body.Length)
        {
            _scratch = new byte[(int)body.Length];
        }

        body.CopyTo(_scratch);
        return _scratch.AsSpan(0, (int)body.Length);
    }

    /// <returns><see langword="false"/> when the connection leaves the framing this parser decodes (v5 segments).</returns>
    private bool OnFrame(StreamDirection direction, CassandraFrameHeader header, ReadOnlySpan<byte> body, long start)
    {
        long size = CassandraFrameHeader.Size + (long)header.Length;
        if (!header.IsResponse)
        {
            var exchange = new CassandraExchange
            {
                Opcode = (CassandraOpcode)header.Opcode,
                ProtocolVersion = header.ProtocolVersion,
                StreamId = header.Stream,
                Direction = direction,
                RequestPosition = start,
                RequestSize = size,
            };
            CassandraMessageDecoder.DecodeRequest(body, header, exchange, _options, _statements);
            if (_pending.Remove(exchange.StreamId, out var replaced))
            {
                // A stream id is reused only after its response: that response was lost.
                replaced.DataLost = true;
                Emit(replaced, null, default, 0, 0);
            }

            if (_pending.Count >= _options.MaxPendingRequests)
            {
                EvictOldest();
            }

            _pending[exchange.StreamId] = exchange;
            _order.Enqueue(exchange.StreamId);
            return true;
        }

        var facts = CassandraMessageDecoder.DecodeResponse(body, header, _options);
        var opcode = (CassandraOpcode)header.Opcode;
        if (opcode == CassandraOpcode.Event)
        {
            Emit(new CassandraExchange
            {
                Opcode = CassandraOpcode.Event,
                ProtocolVersion = header.ProtocolVersion,
                StreamId = header.Stream,
                Direction = Other(direction),
                RequestPosition = -1,
                Query = facts.Detail,
            }, opcode, facts, start, size, eventPosition: start, eventDirection: direction);
            return true;
        }

        if (!_pending.Remove(header.Stream, out var request))
        {
            // Answer to a request sent before tracing started, or lost: nothing to pair it with.
            return true;
        }

        if (facts.Kind == CassandraResultKind.Prepared && facts.PreparedId is { } id && request.Query is { } query)
        {
            _statements.Remember(id, query);
            request.PreparedId = id;
        }

        request.Compressed |= (header.Flags & CassandraFrameHeader.CompressionFlag) != 0;
        Emit(request, opcode, facts, start, size);
        return !(header.ProtocolVersion >= 5 && opcode is CassandraOpcode.Ready or CassandraOpcode.AuthSuccess);
    }

    private void EvictOldest()
    {
        while (_order.TryDequeue(out var stream))
        {
            if (_pending.Remove(stream, out var oldest))
            {
                oldest.DataLost = true;
                Emit(oldest, null, default, 0, 0);
                return;
            }
        }
    }

    private void Emit(CassandraExchange exchange, CassandraOpcode? responseOpcode, CassandraMessageDecoder.ResponseFacts facts, long responseStart, long responseSize,
        long eventPosition = -1, StreamDirection eventDirection = StreamDirection.Ingress)
    {
        var requestDirection = exchange.Direction;
        var requestTime = eventPosition >= 0 ? _context.TimeAt(eventDirection, eventPosition) : _context.TimeAt(requestDirection, exchange.RequestPosition);
        _context.Emit(new CassandraRecord
        {
            Connection = _context.Connection,
            Role = requestDirection == StreamDirection.Egress ? ConnectionRole.Client : ConnectionRole.Server,
            RequestTime = requestTime,
            ResponseTime = responseOpcode is null || eventPosition >= 0 ? null : _context.TimeAt(Other(requestDirection), responseStart),
            DataLost = exchange.DataLost,
            Opcode = exchange.Opcode,
            ResponseOpcode = eventPosition >= 0 ? null : responseOpcode,
            ProtocolVersion = exchange.ProtocolVersion,
            StreamId = exchange.StreamId,
            Query = exchange.Query,
            PreparedId = exchange.PreparedId,
            Consistency = exchange.Consistency,
            BatchSize = exchange.BatchSize,
            ResultKind = facts.Kind,
            RowCount = facts.Rows,
            ResultDetail = exchange.Opcode == CassandraOpcode.Event ? null : facts.Detail,
            ErrorCode = facts.ErrorCode,
            ErrorMessage = facts.ErrorMessage,
            Compressed = exchange.Compressed,
            RequestSize = exchange.RequestSize,
            ResponseSize = eventPosition >= 0 ? 0 : responseSize,
        });
    }
}
