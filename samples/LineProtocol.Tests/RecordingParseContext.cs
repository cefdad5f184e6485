using System.Net;
using Ebpf.ProtocolTracing;
using Ebpf.ProtocolTracing.Parsing;

namespace Samples.LineProtocol.Tests;

/// <summary>An <see cref="IParseContext"/> that keeps what the parser emits; time is the stream position in ms.</summary>
internal sealed class RecordingParseContext : IParseContext
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public ConnectionInfo Connection { get; } = new()
    {
        Id = new ConnectionId(42, 7, 1),
        Process = new ProcessInfo(42, "server", 0),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 7070),
        RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 50000),
        Role = ConnectionRole.Server,
    };

    public List<LineProtocolRecord> Records { get; } = [];

    // Ingress is offset by a second so a reply is always later than its request.
    public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) =>
        Epoch.AddMilliseconds(streamPosition + (direction == StreamDirection.Egress ? 1000 : 0));

    public void Emit(ProtocolRecord record) => Records.Add(Assert.IsType<LineProtocolRecord>(record));
}
