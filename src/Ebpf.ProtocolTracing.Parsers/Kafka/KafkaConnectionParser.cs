using System.Buffers;
using System.Buffers.Binary;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// One Kafka connection: frames both streams by their INT32 size prefix, decodes the kept head of each
/// message, and pairs responses with requests by correlation id.
/// </summary>
/// <remarks>
/// Only the first <see cref="KafkaParserOptions.MaxMessageHeadBytes"/> of a message are left unconsumed until
/// complete; the rest (record data) is skipped as it arrives, so a gap inside it is absorbed.
/// </remarks>
internal sealed class KafkaConnectionParser : IConnectionParser
{
    private const int SizePrefixBytes = 4;

    // Responses held for a request not yet parsed; more are unlikely to be answers to anything still coming.
    private const int MaxEarlyResponses = 8;

    private readonly IParseContext _context;
    private readonly KafkaParserOptions _options;
    private readonly long[] _skipRemaining = new long[2];
    private readonly bool[] _started = new bool[2];
    private readonly KafkaPartialMessage[] _partial = [new(), new()];
    private readonly List<KafkaExchange> _pending = [];
    private readonly Queue<KafkaEarlyResponse> _early = new();
    private byte[] _scratch = [];
    private StreamDirection? _learnedRequestDirection;

    public KafkaConnectionParser(IParseContext context, KafkaParserOptions options)
    {
        _context = context;
        _options = options;
    }

    private StreamDirection? RequestDirection => _context.Connection.Role switch
    {
        ConnectionRole.Client => StreamDirection.Egress,
        ConnectionRole.Server => StreamDirection.Ingress,
        _ => _learnedRequestDirection,
    };

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        int d = (int)direction;
        var reader = new SequenceReader<byte>(data);
        if (!_started[d])
        {
            bool? atRequest = StartsMidStream(direction, data, streamPosition);
            if (atRequest is null)
            {
                consumed = data.Start;
                return ParseStatus.Continue;
            }

            _started[d] = true;
            if (atRequest == false)
            {
                // Not a request start: let the resync find one.
                reader.Advance(1);
                consumed = reader.Position;
                return ParseStatus.Invalid;
            }
        }

        var status = ParseStatus.Continue;
        Span<byte> prefix = stackalloc byte[SizePrefixBytes];
        while (true)
        {
            var partial = _partial[d];
            if (partial.Active)
            {
                int take = (int)Math.Min(partial.Wanted - partial.Filled, reader.Remaining);
                reader.TryCopyTo(partial.Buffer.AsSpan(partial.Filled, take));
                reader.Advance(take);
                partial.Filled += take;
                if (partial.Filled < partial.Wanted)
                {
                    break;
                }

                partial.Active = false;
                _skipRemaining[d] = partial.Size - partial.Wanted;
                if (!OnMessage(direction, partial.Buffer.AsSpan(0, partial.Filled), partial.Size, partial.Start))
                {
                    status = ParseStatus.Invalid;
                    break;
                }

                continue;
            }

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

            if (!reader.TryCopyTo(prefix))
            {
                break;
            }

            int size = BinaryPrimitives.ReadInt32BigEndian(prefix);
            if (size < SizePrefixBytes || size > _options.MaxMessageBytes)
            {
                status = Reject(ref reader);
                break;
            }

            int kept = Math.Min(size, _options.MaxMessageHeadBytes);
            long start = streamPosition + reader.Consumed;
            if (reader.Remaining < SizePrefixBytes + kept)
            {
                // Collect the head as it arrives, so a gap later in the message (often in record data, which
                // vector writes spread over many buffers) is absorbed instead of losing the message.
                partial.Begin(size, kept, start);
                reader.Advance(SizePrefixBytes);
                continue;
            }

            var head = Head(reader.UnreadSequence.Slice(SizePrefixBytes, kept));
            if (!OnMessage(direction, head, size, start))
            {
                status = Reject(ref reader);
                break;
            }

            reader.Advance(SizePrefixBytes + kept);
            _skipRemaining[d] = size - kept;
        }

        consumed = reader.Position;
        return status;
    }

    public bool OnGap(StreamDirection direction, long length)
    {
        int d = (int)direction;
        var partial = _partial[d];
        if (partial.Active)
        {
            partial.Active = false;
            long rest = partial.Size - partial.Filled;
            if (length <= rest)
            {
                // Decode what arrived of the head; the message's end is still known.
                _skipRemaining[d] = rest - length;
                _ = OnMessage(direction, partial.Buffer.AsSpan(0, partial.Filled), partial.Size, partial.Start);
                return true;
            }
        }

        if (_skipRemaining[d] >= length)
        {
            _skipRemaining[d] -= length;
            return true;
        }

        _skipRemaining[d] = 0;
        if (direction != RequestDirection)
        {
            // A response was lost: whatever waits now may never be answered in full.
            foreach (var exchange in _pending)
            {
                exchange.DataLost = true;
            }
        }

        return false;
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        bool requests = RequestDirection is not { } requestDirection || requestDirection == direction;
        Span<byte> window = stackalloc byte[KafkaInference.MinRequestBytes + KafkaInference.MaxResyncClientIdBytes];
        var reader = new SequenceReader<byte>(data);
        while (reader.Remaining >= 8)
        {
            var bytes = window[..(int)Math.Min(window.Length, reader.Remaining)];
            reader.TryCopyTo(bytes);
            bool? found = requests ? KafkaInference.IsResyncPoint(bytes, _options.MaxMessageBytes) : LooksLikeAwaitedResponse(bytes);
            if (found is null && bytes.Length < KafkaInference.MinRequestBytes)
            {
                break;
            }

            // An undecided candidate (its client id runs past the data) does not stop the search: a whole
            // request further on is a surer start, and the caller keeps only a short tail.
            if (found == true)
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
        foreach (var exchange in _pending)
        {
            Emit(exchange, responseStart: null, responseSize: 0, responseTruncated: false);
        }

        _pending.Clear();
        _early.Clear();
    }

    /// <summary>
    /// A request stream whose first byte is not the stream's first (brokers read the 4-byte size on its own,
    /// and the kernel recognises only the read after it) must begin at a checkable request start.
    /// </summary>
    /// <returns><see langword="true"/> to parse from here, <see langword="false"/> to resync, <see langword="null"/> to wait for more bytes.</returns>
    private bool? StartsMidStream(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition)
    {
        if (streamPosition == 0 || RequestDirection is { } requests && requests != direction)
        {
            return true;
        }

        Span<byte> window = stackalloc byte[KafkaInference.MinRequestBytes + KafkaInference.MaxResyncClientIdBytes];
        var bytes = window[..(int)Math.Min(window.Length, data.Length)];
        data.Slice(0, bytes.Length).CopyTo(bytes);
        return KafkaInference.IsResyncPoint(bytes, _options.MaxMessageBytes);
    }

    /// <summary>Rejects the message at the reader: its first byte is consumed so resync never sees the same start twice.</summary>
    private static ParseStatus Reject(ref SequenceReader<byte> reader)
    {
        reader.Advance(1);
        return ParseStatus.Invalid;
    }

    private static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;

    private bool LooksLikeAwaitedResponse(ReadOnlySpan<byte> bytes)
    {
        int size = BinaryPrimitives.ReadInt32BigEndian(bytes);
        int correlationId = BinaryPrimitives.ReadInt32BigEndian(bytes[4..]);
        return size >= SizePrefixBytes && size <= _options.MaxMessageBytes && IndexOfPending(correlationId) >= 0;
    }

    private ReadOnlySpan<byte> Head(ReadOnlySequence<byte> head)
    {
        if (head.IsSingleSegment)
        {
            return head.FirstSpan;
        }

        if (_scratch.Length < head.Length)
        {
            _scratch = new byte[Math.Max((int)head.Length, Math.Min(_scratch.Length * 2, _options.MaxMessageHeadBytes))];
        }

        head.CopyTo(_scratch);
        return _scratch.AsSpan(0, (int)head.Length);
    }

    /// <returns><see langword="false"/> when the message cannot be a Kafka message here.</returns>
    private bool OnMessage(StreamDirection direction, ReadOnlySpan<byte> head, int size, long start)
    {
        bool truncated = head.Length < size;
        var requestDirection = RequestDirection ?? DecideRequestDirection(direction, head, size);
        if (requestDirection is null)
        {
            // Still unsure which side asks: keep it as a candidate request until a response names it.
            return OnRequest(direction, head, size, start, truncated);
        }

        return direction == requestDirection ? OnRequest(direction, head, size, start, truncated) : OnResponse(direction, head, size, start, truncated);
    }

    /// <summary>
    /// Joined mid-stream (no role from the kernel), a response can look like a request, so a side is taken
    /// for the asking one only when the other side answers one of its correlation ids, or when this side
    /// sends something that cannot be a request.
    /// </summary>
    private StreamDirection? DecideRequestDirection(StreamDirection direction, ReadOnlySpan<byte> head, int size)
    {
        int correlationId = head.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(head) : -1;
        int index = IndexOfPending(correlationId);
        StreamDirection? decided = null;
        if (index >= 0 && _pending[index].Direction != direction)
        {
            decided = Other(direction);
        }
        else
        {
            Span<byte> withPrefix = stackalloc byte[KafkaInference.MinRequestBytes];
            BinaryPrimitives.WriteInt32BigEndian(withPrefix, size);
            head[..Math.Min(head.Length, withPrefix.Length - SizePrefixBytes)].CopyTo(withPrefix[SizePrefixBytes..]);
            if (!KafkaInference.LooksLikeRequest(withPrefix, _options.MaxMessageBytes))
            {
                decided = Other(direction);
            }
        }

        if (decided is { } requests)
        {
            _learnedRequestDirection = requests;
            _pending.RemoveAll(exchange => exchange.Direction != requests);
        }

        return decided;
    }

    private bool OnRequest(StreamDirection direction, ReadOnlySpan<byte> head, int size, long start, bool truncated)
    {
        var reader = new KafkaWireReader(head);
        short apiKey = reader.Int16();
        short apiVersion = reader.Int16();
        int correlationId = reader.Int32();
        if (!reader.Ok || !KafkaNames.IsKnownApiKey(apiKey) || apiVersion < 0 || apiVersion > KafkaInference.MaxApiVersion)
        {
            return false;
        }

        var key = (KafkaApiKey)apiKey;
        // Header v0 (no client id) is only ControlledShutdown v0, which brokers send among themselves.
        string? clientId = key == KafkaApiKey.ControlledShutdown && apiVersion == 0 ? null : reader.String(compact: false, _options.MaxStringLength);
        var exchange = new KafkaExchange(_options.MaxPartitions)
        {
            ApiKey = key,
            ApiVersion = apiVersion,
            CorrelationId = correlationId,
            ClientId = clientId,
            Direction = direction,
            RequestPosition = start,
            RequestSize = size + (long)SizePrefixBytes,
            RequestTruncated = truncated,
        };
        if (KafkaFlexibleVersions.IsFlexible(key, apiVersion))
        {
            reader.SkipTaggedFields();
        }

        if (reader.Ok && KafkaFlexibleVersions.IsDecoded(key))
        {
            KafkaRequestDecoder.Decode(ref reader, exchange, _options);
        }

        if (key == KafkaApiKey.Produce && exchange.Acks == 0 && RequestDirection is not null)
        {
            // acks=0: the broker never answers.
            Emit(exchange, responseStart: null, responseSize: 0, responseTruncated: false);
            return true;
        }

        if (TakeEarlyResponse(correlationId) is { } early)
        {
            Answer(exchange, early.Head);
            Emit(exchange, responseStart: null, early.Size, early.Truncated, early.Time);
            return true;
        }

        if (_pending.Count >= _options.MaxPendingRequests)
        {
            var oldest = _pending[0];
            _pending.RemoveAt(0);
            oldest.DataLost = true;
            Emit(oldest, responseStart: null, responseSize: 0, responseTruncated: false);
        }

        _pending.Add(exchange);
        return true;
    }

    private bool OnResponse(StreamDirection direction, ReadOnlySpan<byte> head, int size, long start, bool truncated)
    {
        int correlationId = head.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(head) : -1;
        int index = IndexOfPending(correlationId);
        if (index < 0)
        {
            // Sent before tracing started, lost, or not parsed yet (its stream is behind): its shape is unknown
            // until the request comes, so the head is held for a while.
            HoldEarlyResponse(direction, head, correlationId, size, start, truncated);
            return true;
        }

        // Brokers answer in order, so requests queued before this one lost their responses.
        for (int i = 0; i < index; i++)
        {
            _pending[i].DataLost = true;
            Emit(_pending[i], responseStart: null, responseSize: 0, responseTruncated: false);
        }

        var exchange = _pending[index];
        _pending.RemoveRange(0, index + 1);
        Answer(exchange, head);
        Emit(exchange, start, size + (long)SizePrefixBytes, truncated);
        return true;
    }

    /// <summary>Decodes a response's kept head (correlation id first) into its request's exchange.</summary>
    private void Answer(KafkaExchange exchange, ReadOnlySpan<byte> head)
    {
        var reader = new KafkaWireReader(head);
        _ = reader.Int32(); // correlation_id
        if (KafkaFlexibleVersions.ResponseHeaderHasTags(exchange.ApiKey, exchange.ApiVersion))
        {
            reader.SkipTaggedFields();
        }

        if (reader.Ok && KafkaFlexibleVersions.IsDecoded(exchange.ApiKey))
        {
            KafkaResponseDecoder.Decode(ref reader, exchange, _options);
        }

    }

    private void HoldEarlyResponse(StreamDirection direction, ReadOnlySpan<byte> head, int correlationId, int size, long start, bool truncated)
    {
        if (RequestDirection is null || head.Length < 4)
        {
            return;
        }

        if (_early.Count >= MaxEarlyResponses)
        {
            _ = _early.Dequeue();
        }

        _early.Enqueue(new KafkaEarlyResponse
        {
            CorrelationId = correlationId,
            Head = head.ToArray(),
            Size = size + (long)SizePrefixBytes,
            Truncated = truncated,
            Time = _context.TimeAt(direction, start),
        });
    }

    private KafkaEarlyResponse? TakeEarlyResponse(int correlationId)
    {
        KafkaEarlyResponse? found = null;
        for (int i = _early.Count; i > 0; i--)
        {
            var early = _early.Dequeue();
            if (found is null && early.CorrelationId == correlationId)
            {
                found = early;
                continue;
            }

            _early.Enqueue(early);
        }

        return found;
    }

    private int IndexOfPending(int correlationId)
    {
        for (int i = 0; i < _pending.Count; i++)
        {
            if (_pending[i].CorrelationId == correlationId)
            {
                return i;
            }
        }

        return -1;
    }

    private void Emit(KafkaExchange exchange, long? responseStart, long responseSize, bool responseTruncated, DateTimeOffset? responseTime = null)
    {
        var requestDirection = exchange.Direction;
        _context.Emit(new KafkaRecord
        {
            Connection = _context.Connection,
            Role = requestDirection == StreamDirection.Egress ? ConnectionRole.Client : ConnectionRole.Server,
            RequestTime = _context.TimeAt(requestDirection, exchange.RequestPosition),
            ResponseTime = responseTime ?? (responseStart is { } at ? _context.TimeAt(Other(requestDirection), at) : null),
            DataLost = exchange.DataLost,
            ApiKey = exchange.ApiKey,
            ApiVersion = exchange.ApiVersion,
            CorrelationId = exchange.CorrelationId,
            ClientId = exchange.ClientId,
            Partitions = exchange.Partitions.ToArray(),
            PartitionCount = exchange.PartitionCount,
            RecordCount = exchange.RecordCount,
            GroupId = exchange.GroupId,
            Acks = exchange.Acks,
            ErrorCode = exchange.ErrorCode,
            ErrorMessage = exchange.ErrorMessage,
            RequestSize = exchange.RequestSize,
            ResponseSize = responseSize,
            Truncated = exchange.RequestTruncated || responseTruncated,
        });
    }
}
