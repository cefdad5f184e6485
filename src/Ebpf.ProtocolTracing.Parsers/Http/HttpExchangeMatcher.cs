using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// Pairs responses with the requests they answer, in order (HTTP/1.x has no ids), builds the records,
/// and keeps pairing honest after bytes were lost.
/// </summary>
/// <remarks>
/// After a loss in the request stream an unknown number of requests is missing. Requests that were
/// already waiting keep their place; after them, a response that began before the next known request
/// was sent cannot answer it, so it is emitted alone with <see cref="ProtocolRecord.DataLost"/>.
/// After a loss in the response stream an unknown number of responses is missing: the next response
/// pairs with the newest request sent before it began, and older waiting requests are emitted without
/// a response. When the connection has pipelined, that guess is not safe, so all of them are emitted
/// with <see cref="ProtocolRecord.DataLost"/> and the response alone.
/// </remarks>
internal sealed class HttpExchangeMatcher(IParseContext context, int maxPendingRequests, long maxPendingBytes)
{
    private long _pendingBytes;

    private readonly Queue<HttpMessage> _pending = new();
    private StreamDirection? _requestDirection;
    private bool _requestsLost;
    private int _requestsBeforeLoss;
    private bool _responsesLost;
    private int _evictedAwaitingResponse;
    private bool _pipelined;

    /// <summary>The stream that carries requests, once a start line told.</summary>
    public StreamDirection? RequestDirection => _requestDirection;

    /// <summary>Requests waiting for their responses.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Checks that <paramref name="kind"/> may travel on <paramref name="direction"/>, and learns the direction of requests.</summary>
    public bool Accepts(StreamDirection direction, HttpMessageKind kind)
    {
        var requestDirection = kind == HttpMessageKind.Request ? direction : Other(direction);
        _requestDirection ??= requestDirection;
        return _requestDirection == requestDirection;
    }

    /// <summary>A request head was read: it waits for its response.</summary>
    public void AddRequest(HttpMessage request, long headBytes)
    {
        // A request still waiting only shows pipelining when its response cannot have been lost.
        if (_pending.Count > 0 && !_responsesLost)
        {
            _pipelined = true;
        }

        // The oldest waiting requests give way when the count or the byte budget would be exceeded.
        while (_pending.Count > 0 && (_pending.Count >= maxPendingRequests || _pendingBytes + headBytes > maxPendingBytes))
        {
            if (_pending.Count < maxPendingRequests)
            {
                EvictedOverByteBudget++;
            }

            EvictOldest();
        }

        request.PendingBytes = headBytes;
        request.IsPending = true;
        _pendingBytes += headBytes;
        _pending.Enqueue(request);
    }

    /// <summary>A waiting request's body ended: its kept bytes count against the budget too.</summary>
    public void OnRequestBodyKept(HttpMessage request, long keptBytes)
    {
        if (!request.IsPending || keptBytes <= 0)
        {
            return;
        }

        request.PendingBytes += keptBytes;
        _pendingBytes += keptBytes;

        // The newest request stays (its head alone fits, validation makes sure); older ones give way.
        while (_pendingBytes > maxPendingBytes && _pending.Count > 1)
        {
            EvictedOverByteBudget++;
            EvictOldest();
        }
    }

    private void EvictOldest()
    {
        // Its response will still come first; remember to let it pass unpaired.
        EmitRequestAlone(Dequeue(), lost: true);
        _evictedAwaitingResponse++;
        if (_requestsBeforeLoss > 0)
        {
            _requestsBeforeLoss--;
        }
    }

    /// <summary>Requests emitted without their responses because waiting requests went over the byte budget.</summary>
    public long EvictedOverByteBudget { get; private set; }

    /// <summary>The connection went quiet: an empty queue gives back the room it grew.</summary>
    public void TrimIdle()
    {
        if (_pending.Count == 0)
        {
            _pending.TrimExcess();
        }
    }

    /// <summary>Bytes the waiting requests are charged for now.</summary>
    public long PendingBytes => _pendingBytes;

    private HttpMessage Dequeue()
    {
        var request = _pending.Dequeue();
        request.IsPending = false;
        _pendingBytes -= request.PendingBytes;
        return request;
    }

    public HttpMessage? TakeRequestFor(HttpMessage response)
    {
        if (_evictedAwaitingResponse > 0)
        {
            _evictedAwaitingResponse--;
            return null;
        }

        if (_responsesLost)
        {
            _responsesLost = false;
            return TakeAfterResponseLoss(response.Time);
        }

        if (_pending.Count == 0)
        {
            return null;
        }

        if (_requestsBeforeLoss > 0)
        {
            _requestsBeforeLoss--;
            return Dequeue();
        }

        if (_requestsLost)
        {
            if (_pending.Peek().Time > response.Time)
            {
                return null;
            }

            _requestsLost = false;
        }

        return Dequeue();
    }

    private HttpMessage? TakeAfterResponseLoss(DateTimeOffset responseTime)
    {
        int sentBefore = 0;
        foreach (var request in _pending)
        {
            if (request.Time > responseTime)
            {
                break;
            }

            sentBefore++;
        }

        int dropped = sentBefore == 0 ? 0 : _pipelined && sentBefore > 1 ? sentBefore : sentBefore - 1;
        for (int i = 0; i < dropped; i++)
        {
            EmitRequestAlone(Dequeue(), lost: true);
        }

        _requestsBeforeLoss = Math.Max(0, _requestsBeforeLoss - dropped);
        if (sentBefore == 0 || dropped == sentBefore)
        {
            return null;
        }

        if (_requestsBeforeLoss > 0)
        {
            _requestsBeforeLoss--;
        }

        return Dequeue();
    }

    /// <summary>Bytes of the request stream were lost: some requests may be missing.</summary>
    public void OnRequestsLost()
    {
        if (!_requestsLost)
        {
            _requestsBeforeLoss = _pending.Count;
        }

        _requestsLost = true;
    }

    /// <summary>Bytes of the response stream were lost: some responses may be missing.</summary>
    public void OnResponsesLost() => _responsesLost = true;

    /// <summary>Emits one exchange.</summary>
    public void Emit(HttpMessage? request, HttpMessage response, bool lost)
    {
        var requestDirection = _requestDirection ?? StreamDirection.Egress;
        context.Emit(new HttpRecord
        {
            Connection = context.Connection,
            Role = RoleOf(requestDirection),
            RequestTime = request?.Time ?? response.Time,
            ResponseTime = response.Time,
            DataLost = lost || request is null || request.DataLost || response.DataLost,
            Method = request?.Method,
            Target = request?.Target,
            Version = request?.Version ?? response.Version,
            RequestHeaders = request?.Headers ?? HttpHeaders.Empty,
            RequestBody = request?.Body.Kept ?? ReadOnlyMemory<byte>.Empty,
            RequestBodySize = request?.Body.Size ?? 0,
            RequestBodyTruncated = request?.Body.Truncated ?? false,
            StatusCode = response.StatusCode,
            ReasonPhrase = response.ReasonPhrase,
            ResponseHeaders = response.Headers,
            ResponseBody = response.Body.Kept,
            ResponseBodySize = response.Body.Size,
            ResponseBodyTruncated = response.Body.Truncated,
        });
    }

    /// <summary>The connection ended: every waiting request is emitted without a response.</summary>
    public void Complete()
    {
        while (_pending.Count > 0)
        {
            EmitRequestAlone(Dequeue(), lost: false);
        }

        _requestsBeforeLoss = 0;
        _evictedAwaitingResponse = 0;
    }

    private void EmitRequestAlone(HttpMessage request, bool lost)
    {
        request.StaysHttp = true;
        context.Emit(new HttpRecord
        {
            Connection = context.Connection,
            Role = RoleOf(_requestDirection ?? StreamDirection.Egress),
            RequestTime = request.Time,
            DataLost = lost || request.DataLost,
            Method = request.Method,
            Target = request.Target,
            Version = request.Version,
            RequestHeaders = request.Headers,
            RequestBody = request.Body.Kept,
            RequestBodySize = request.Body.Size,
            RequestBodyTruncated = request.Body.Truncated,
        });
    }

    private static ConnectionRole RoleOf(StreamDirection requestDirection) =>
        requestDirection == StreamDirection.Egress ? ConnectionRole.Client : ConnectionRole.Server;

    private static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;
}
