using System.Net;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Dns;

/// <summary>
/// Pairs queries with responses by id, peer and question (a resolver socket has many queries in flight
/// to many servers, answered in any order), and emits a query without a response once it timed out.
/// </summary>
internal sealed class DnsExchangeMatcher(IParseContext context, DnsParserOptions options)
{
    // Oldest first; small in practice (queries in flight on one socket), bounded by MaxPendingQueries.
    private readonly List<DnsPendingQuery> _pending = [];

    // The last connection with a datagram's peer as its remote end: one allocation per peer change, not per record.
    private ConnectionInfo? _peerConnection;

    public int PendingCount => _pending.Count;

    public void OnMessage(DnsMessage message, StreamDirection direction, DateTimeOffset time)
    {
        ExpireBefore(time - options.QueryTimeout);
        var peer = context.CurrentPeer;
        if (!message.Header.IsResponse)
        {
            if (_pending.Count >= options.MaxPendingQueries)
            {
                EmitUnanswered(_pending[0]);
                _pending.RemoveAt(0);
            }

            _pending.Add(new DnsPendingQuery(message, direction, peer, ConnectionFor(peer), time, DataLost: false));
            return;
        }

        for (var i = 0; i < _pending.Count; i++)
        {
            var query = _pending[i];
            if (query.IsAnsweredBy(message, direction, peer))
            {
                _pending.RemoveAt(i);
                context.Emit(Build(query, message, time));
                return;
            }
        }

        // A response to a query not seen (tracing started after it was sent): nothing to pair it with.
    }

    /// <summary>Emits every query still waiting (the socket closed or expired).</summary>
    public void Flush()
    {
        foreach (var query in _pending)
        {
            EmitUnanswered(query);
        }

        _pending.Clear();
    }

    /// <summary>The response of queries sent in <paramref name="direction"/> may have been lost (stream gap): their records are marked.</summary>
    public void MarkLost(StreamDirection direction)
    {
        for (var i = 0; i < _pending.Count; i++)
        {
            if (_pending[i].Direction == direction)
            {
                _pending[i] = _pending[i] with { DataLost = true };
            }
        }
    }

    private void ExpireBefore(DateTimeOffset cutoff)
    {
        while (_pending.Count > 0 && _pending[0].Time < cutoff)
        {
            EmitUnanswered(_pending[0]);
            _pending.RemoveAt(0);
        }
    }

    private ConnectionInfo ConnectionFor(IPEndPoint? peer)
    {
        var connection = context.Connection;
        if (peer is null || Equals(connection.RemoteEndPoint, peer))
        {
            return connection;
        }

        if (_peerConnection is null || !Equals(_peerConnection.RemoteEndPoint, peer) || _peerConnection.Id != connection.Id
            || !ReferenceEquals(_peerConnection.Process, connection.Process))
        {
            _peerConnection = connection with { RemoteEndPoint = peer };
        }

        return _peerConnection;
    }

    private void EmitUnanswered(DnsPendingQuery query) => context.Emit(Build(query, response: null, responseTime: null));

    private static DnsRecord Build(DnsPendingQuery query, DnsMessage? response, DateTimeOffset? responseTime)
    {
        var q = query.Query;
        return new DnsRecord
        {
            Connection = query.Connection,
            Role = query.Direction == StreamDirection.Egress ? ConnectionRole.Client : ConnectionRole.Server,
            RequestTime = query.Time,
            ResponseTime = responseTime,
            DataLost = query.DataLost || q.Incomplete || (response?.Incomplete ?? false),
            Id = q.Header.Id,
            Opcode = q.Header.Opcode,
            QueryName = q.QuestionName,
            QueryType = q.QuestionType,
            QueryClass = q.QuestionClass,
            RecursionDesired = q.Header.RecursionDesired,
            CheckingDisabled = q.Header.CheckingDisabled,
            EdnsUdpPayloadSize = q.EdnsUdpPayloadSize,
            DnssecOk = q.DnssecOk,
            ResponseCode = response?.ResponseCode,
            Answers = response?.Answers ?? [],
            Authority = response?.Authority ?? [],
            Additional = response?.Additional ?? [],
            AnswerCount = response?.Header.AnswerCount ?? 0,
            AuthorityCount = response?.Header.AuthorityCount ?? 0,
            AdditionalCount = response?.Header.AdditionalCount ?? 0,
            Authoritative = response?.Header.Authoritative ?? false,
            Truncated = response?.Header.Truncated ?? false,
            RecursionAvailable = response?.Header.RecursionAvailable ?? false,
            AuthenticData = response?.Header.AuthenticData ?? false,
        };
    }
}
