using System.Buffers;
using System.Net;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tracking;

// UDP: every datagram is a whole message, handed to the parser on its own with its peer.
internal sealed partial class ConnectionTracker
{
    private const ushort DatagramFamilyInet = 2;
    private const ushort DatagramFamilyInet6 = 10;

    /// <inheritdoc />
    /// <remarks>
    /// Datagrams are never buffered, held or merged: each one is parsed as it arrives, at a stream position
    /// that counts the datagrams the tracker saw in that direction (so <see cref="IParseContext.TimeAt"/>
    /// works as for streams). A datagram cut at the capture limit is handed over as far as it was captured.
    /// </remarks>
    public void OnDatagram(in DatagramEvent e, ReadOnlySpan<byte> payload)
    {
        Statistics.AddEventsRead();
        if ((byte)e.Direction > (byte)StreamDirection.Ingress)
        {
            return;
        }

        var timestamp = e.Header.TimestampNs;
        Observe(timestamp);
        var id = e.Header.Conn.ToConnectionId();
        var captured = (int)Math.Min((uint)payload.Length, e.CapturedLength);
        payload = payload[..captured];
        Statistics.AddStreamBytes(e.Direction, Math.Max(e.OriginalLength, (uint)captured));

        var key = new TrackedConnectionKey(id, Encrypted: false);
        if (!_connections.TryGetValue(key, out var connection))
        {
            if (_recentlyFinished.Contains(key))
            {
                Statistics.AddBytesDroppedUnparsed(captured);
                return;
            }

            connection = Create(key, ConnectionInfoFactory.FromId(id, encrypted: false), timestamp);
        }
        else
        {
            Touch(connection, timestamp);
        }

        if (!connection.IsDatagram)
        {
            connection.IsDatagram = true;
            if (connection.Connection.Transport != TransportProtocol.Udp)
            {
                connection.Connection = connection.Connection with { Transport = TransportProtocol.Udp };
            }
        }

        if (e.Header.Protocol != 0)
        {
            connection.KernelProtocol = (WellKnownProtocol)e.Header.Protocol;
        }

        if (connection.State == TrackedConnectionState.Ignored)
        {
            Statistics.AddBytesDroppedUnparsed(captured);
            return;
        }

        var stream = connection.Stream(e.Direction);
        if (stream.FirstTimestampNs == 0)
        {
            stream.FirstTimestampNs = timestamp;
        }

        var position = stream.Next;
        stream.RecordTime(position, timestamp);
        stream.Next = position + 1;
        connection.CurrentPeer = ToPeer(e);
        try
        {
            if (connection.State == TrackedConnectionState.Undecided)
            {
                DecideDatagram(connection, stream, payload);
            }

            if (connection.State == TrackedConnectionState.Parsing)
            {
                ParseDatagram(connection, stream, payload, position);
            }
            else
            {
                Statistics.AddBytesDroppedUnparsed(captured);
            }
        }
        finally
        {
            connection.CurrentPeer = null;
        }

        if (connection.CloseRequested)
        {
            TryFinishClose(connection);
        }
    }

    private static unsafe IPEndPoint? ToPeer(in DatagramEvent e)
    {
        var length = e.Family switch
        {
            DatagramFamilyInet => 4,
            DatagramFamilyInet6 => 16,
            _ => 0,
        };
        if (length == 0)
        {
            return null;
        }

        fixed (byte* address = e.PeerAddr)
        {
            return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(address, length)), e.PeerPort);
        }
    }

    /// <summary>Picks a UDP socket's parser from one datagram: configured port (its own or the peer's), the kernel's guess, inference.</summary>
    private void DecideDatagram(TrackedConnection connection, TrackedStream stream, ReadOnlySpan<byte> datagram)
    {
        IProtocolParser? parser = null;
        try
        {
            var local = connection.Connection.LocalEndPoint?.Port ?? 0;
            var peer = connection.CurrentPeer?.Port ?? connection.Connection.RemoteEndPoint?.Port ?? 0;
            parser = _registry.FindByPort(local, peer);
            if (parser is null
                && connection.KernelProtocol is not (WellKnownProtocol.None or WellKnownProtocol.Forced)
                && _registry.FindByKernelProtocol(connection.KernelProtocol) is { } guessed
                && guessed.Infer(datagram, stream.Direction) >= ParserRegistry.InferenceThreshold)
            {
                parser = guessed;
            }

            parser ??= _registry.Infer(datagram, stream.Direction, out _);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            ReportParserException(connection, exception);
            return;
        }

        if (parser is not null)
        {
            Start(connection, parser);
            return;
        }

        connection.UndecidedEvents++;
        if (connection.UndecidedEvents >= InferenceEventLimit)
        {
            Disable(connection);
        }
    }

    /// <summary>Hands one whole datagram to the parser; what it leaves unconsumed is dropped, never joined to the next.</summary>
    private unsafe void ParseDatagram(TrackedConnection connection, TrackedStream stream, ReadOnlySpan<byte> datagram, long position)
    {
        if (datagram.IsEmpty || _payloadMemory.InUse)
        {
            return;
        }

        ParseStatus status;
        fixed (byte* pointer = datagram)
        {
            _payloadMemory.Set(pointer, datagram.Length);
            try
            {
                status = connection.Parser!.Parse(stream.Direction, new ReadOnlySequence<byte>(_payloadMemory.Memory), position, out _);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                ReportParserException(connection, exception);
                return;
            }
            finally
            {
                _payloadMemory.Clear();
            }
        }

        switch (status)
        {
            case ParseStatus.Continue:
                return;
            case ParseStatus.Invalid:
                // The next datagram is a fresh message: nothing to resync.
                Statistics.AddParseFailure();
                return;
            default:
                StopParsing(connection);
                return;
        }
    }
}
