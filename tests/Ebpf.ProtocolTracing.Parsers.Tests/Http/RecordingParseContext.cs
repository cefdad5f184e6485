using System.Net;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>
/// A parse context that keeps what was emitted and maps stream positions to times the way the
/// connection tracker does: each delivered piece of a stream carries the time of its first byte.
/// </summary>
internal sealed class RecordingParseContext : IParseContext
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<(long Position, DateTimeOffset Time)>[] _marks = [[], []];

    public ConnectionInfo Connection { get; } = new()
    {
        Id = new ConnectionId(4242, 7, 1),
        Process = new ProcessInfo(4242, "test", 1),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 50000),
        RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 80),
        Role = ConnectionRole.Client,
    };

    public List<ProtocolRecord> Records { get; } = [];

    public List<HttpRecordView> Http => Records.Select(r => new HttpRecordView((Ebpf.ProtocolTracing.Http.HttpRecord)r)).ToList();

    /// <summary>Says that the stream byte at <paramref name="position"/> and after crossed at <paramref name="time"/>.</summary>
    public void Mark(StreamDirection direction, long position, DateTimeOffset time) => _marks[(int)direction].Add((position, time));

    public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition)
    {
        var time = Epoch;
        foreach (var (position, at) in _marks[(int)direction])
        {
            if (position <= streamPosition)
            {
                time = at;
            }
        }

        return time;
    }

    public void Emit(ProtocolRecord record) => Records.Add(record);
}
