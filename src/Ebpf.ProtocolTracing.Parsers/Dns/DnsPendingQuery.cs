using System.Net;

namespace Ebpf.ProtocolTracing.Dns;

/// <summary>A query waiting for its response.</summary>
internal sealed record DnsPendingQuery(
    DnsMessage Query,
    StreamDirection Direction,
    IPEndPoint? Peer,
    ConnectionInfo Connection,
    DateTimeOffset Time,
    bool DataLost)
{
    /// <summary>Whether <paramref name="response"/>, seen in <paramref name="direction"/> from <paramref name="peer"/>, answers this query.</summary>
    public bool IsAnsweredBy(DnsMessage response, StreamDirection direction, IPEndPoint? peer)
        => response.Header.Id == Query.Header.Id
            && direction != Direction
            && Equals(peer, Peer)
            && (response.Header.QuestionCount == 0
                || (response.QuestionType == Query.QuestionType
                    && string.Equals(response.QuestionName, Query.QuestionName, StringComparison.OrdinalIgnoreCase)));
}
