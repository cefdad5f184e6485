namespace Ebpf.ProtocolTracing.Tracking;

/// <content>The tracker's side of the connection-statistics stream: each connection's last numbers as it finishes.</content>
internal sealed partial class ConnectionTracker
{
    /// <summary>Receives each connection's last snapshot as it finishes (closed, expired or evicted). Tracker thread.</summary>
    public Action<ConnectionSnapshot>? ConnectionFinished { get; set; }

    private void ReportFinished(TrackedConnection connection)
    {
        var observer = ConnectionFinished;
        if (observer is null)
        {
            return;
        }

        // A closed connection's final lengths count bytes that never arrived as events too.
        observer(new ConnectionSnapshot(
            connection.Connection,
            connection.Protocol?.Name,
            (ulong)Math.Max(connection.Egress.Next, connection.FinalEgressLength),
            (ulong)Math.Max(connection.Ingress.Next, connection.FinalIngressLength),
            connection.LastActivityNs,
            connection.StatsReported,
            connection.StatsReportedBytesSent,
            connection.StatsReportedBytesReceived));
    }
}
