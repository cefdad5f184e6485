using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>
/// Turns one raw kernel record into a typed event for an <see cref="IKernelEventSink"/>. The only place
/// that reads the wire format's bytes, so live buffers and replayed recordings decode the same way.
/// </summary>
internal static class KernelEventDecoder
{
    /// <summary>
    /// Decodes <paramref name="raw"/> and dispatches it to <paramref name="sink"/>. Records may carry
    /// trailing padding (the perf buffer aligns samples to 8 bytes), so a record longer than its event is fine.
    /// </summary>
    /// <returns><see langword="false"/> when the record is too short, of an unknown kind or inconsistent; nothing is dispatched then.</returns>
    public static bool TryDispatch(ReadOnlySpan<byte> raw, IKernelEventSink sink)
    {
        if (raw.Length < KernelEventLayout.HeaderSize)
        {
            return false;
        }

        switch ((KernelEventKind)raw[0])
        {
            case KernelEventKind.Open:
                if (raw.Length < KernelEventLayout.OpenEventSize)
                {
                    return false;
                }

                var open = Read<OpenEvent>(raw);
                sink.OnOpen(in open);
                return true;

            case KernelEventKind.Close:
                if (raw.Length < KernelEventLayout.CloseEventSize)
                {
                    return false;
                }

                var close = Read<CloseEvent>(raw);
                sink.OnClose(in close);
                return true;

            case KernelEventKind.Data:
                return TryDispatchData(raw, sink);

            case KernelEventKind.Datagram:
                return TryDispatchDatagram(raw, sink);

            case KernelEventKind.ProcessExit:
                if (raw.Length < KernelEventLayout.ProcessExitEventSize)
                {
                    return false;
                }

                var exit = Read<ProcessExitEvent>(raw);
                sink.OnProcessExit(in exit);
                return true;

            default:
                return false;
        }
    }

    private static bool TryDispatchData(ReadOnlySpan<byte> raw, IKernelEventSink sink)
    {
        if (raw.Length < KernelEventLayout.DataEventHeaderSize)
        {
            return false;
        }

        var data = Read<DataEvent>(raw);
        var captured = data.CapturedLength;
        // A length the record does not hold, or one the kernel promises never to send, means corruption:
        // trusting it would read past the record or hand the parser bytes from another event.
        if (captured > KernelEventLayout.MaxChunk
            || captured > data.OriginalLength
            || captured > (uint)(raw.Length - KernelEventLayout.DataEventHeaderSize)
            || data.Direction > StreamDirection.Ingress)
        {
            return false;
        }

        sink.OnData(in data, raw.Slice(KernelEventLayout.DataEventHeaderSize, (int)captured));
        return true;
    }

    private static bool TryDispatchDatagram(ReadOnlySpan<byte> raw, IKernelEventSink sink)
    {
        if (raw.Length < KernelEventLayout.DatagramEventHeaderSize)
        {
            return false;
        }

        var datagram = Read<DatagramEvent>(raw);
        var captured = datagram.CapturedLength;
        // Same checks as for data: a length the record does not hold means corruption.
        if (captured > KernelEventLayout.MaxChunk
            || captured > datagram.OriginalLength
            || captured > (uint)(raw.Length - KernelEventLayout.DatagramEventHeaderSize)
            || datagram.Direction > StreamDirection.Ingress)
        {
            return false;
        }

        sink.OnDatagram(in datagram, raw.Slice(KernelEventLayout.DatagramEventHeaderSize, (int)captured));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Read<T>(ReadOnlySpan<byte> raw)
        where T : unmanaged
        => Unsafe.ReadUnaligned<T>(ref MemoryMarshal.GetReference(raw));
}
