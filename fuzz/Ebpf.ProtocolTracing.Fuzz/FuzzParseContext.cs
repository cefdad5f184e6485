using System.Net;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>A parse context whose clock is the stream position; records are checked and dropped at once.</summary>
internal sealed class FuzzParseContext : IParseContext
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public ConnectionInfo Connection { get; } = new()
    {
        Id = new ConnectionId(4242, 7, 1),
        Process = new ProcessInfo(4242, "fuzz", 1),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 50000),
        RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 80),
        Role = ConnectionRole.Client,
    };

    private const int RenderedLimit = 256;

    public int Records { get; private set; }

    /// <summary>The text of the first records, to compare runs of the same input delivered differently.</summary>
    public List<string> Rendered { get; } = [];

    public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition)
    {
        if (streamPosition < 0)
        {
            throw new FuzzFinding($"TimeAt was asked for negative position {streamPosition} of {direction}.");
        }

        // Positions past any real stream (after a huge gap) still map to a valid time.
        return Epoch.AddTicks(Math.Min(streamPosition, TimeSpan.TicksPerDay * 365));
    }

    public void Emit(ProtocolRecord record)
    {
        RecordChecks.Exercise(record);
        Records++;
        if (Rendered.Count < RenderedLimit)
        {
            Rendered.Add(record.ToString());
        }
    }
}
