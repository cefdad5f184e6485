using System.Collections.Concurrent;
using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

/// <summary>Keeps every event it is handed (copies the payload, which is only valid during the call).</summary>
internal sealed class RecordingKernelEventSink : IKernelEventSink
{
    public ConcurrentQueue<OpenEvent> Opens { get; } = new();

    public ConcurrentQueue<CloseEvent> Closes { get; } = new();

    public ConcurrentQueue<(DataEvent Event, byte[] Payload)> Data { get; } = new();

    public ConcurrentQueue<(DatagramEvent Event, byte[] Payload)> Datagrams { get; } = new();

    public ConcurrentQueue<ProcessExitEvent> ProcessExits { get; } = new();

    public ulong Lost { get; private set; }

    public void OnOpen(in OpenEvent e) => Opens.Enqueue(e);

    public void OnClose(in CloseEvent e) => Closes.Enqueue(e);

    public void OnData(in DataEvent e, ReadOnlySpan<byte> payload) => Data.Enqueue((e, payload.ToArray()));

    public void OnDatagram(in DatagramEvent e, ReadOnlySpan<byte> payload) => Datagrams.Enqueue((e, payload.ToArray()));

    public void OnProcessExit(in ProcessExitEvent e) => ProcessExits.Enqueue(e);

    public void OnLost(ulong count) => Lost += count;
}
