using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tracking;

// Placing data by stream position, gaps, resync, protocol choice and memory caps.
internal sealed partial class ConnectionTracker
{
    private static bool IsLive(TrackedConnection connection)
        => connection.State is TrackedConnectionState.Parsing or TrackedConnectionState.Undecided;

    /// <summary>Places the bytes [position, position + original) of a stream: trims what was seen, holds what is early.</summary>
    private void Place(TrackedConnection connection, TrackedStream stream, long position, ReadOnlySpan<byte> payload, long original, ulong timestampNs)
    {
        var next = stream.Next;
        if (original == 0 || position + original <= next)
        {
            return;
        }

        if (position < next)
        {
            // Overlaps bytes already placed: only the part after them is new.
            var overlap = next - position;
            payload = overlap >= payload.Length ? default : payload[(int)overlap..];
            original -= overlap;
            position = next;
        }

        if (position > next)
        {
            stream.Hold(position, original, payload, timestampNs);
            EnsureTimed(connection);
            if (stream.HeldBytes > _maxBufferedPerStream)
            {
                ExpireHeld(connection, stream, _nowNs, everything: true);
            }

            return;
        }

        FeedInOrder(connection, stream, payload, original, timestampNs);
        DrainHeld(connection, stream);
    }

    /// <summary>Feeds held chunks that have become contiguous.</summary>
    private void DrainHeld(TrackedConnection connection, TrackedStream stream)
    {
        while (stream.HeldCount > 0 && IsLive(connection) && stream.PeekHeld().Position <= stream.Next)
        {
            var chunk = stream.TakeHeld();
            try
            {
                var next = stream.Next;
                if (chunk.Position + chunk.OriginalLength > next)
                {
                    var overlap = next - chunk.Position;
                    var data = chunk.Data is null || overlap >= chunk.CapturedLength
                        ? default
                        : new ReadOnlySpan<byte>(chunk.Data, (int)overlap, chunk.CapturedLength - (int)overlap);
                    FeedInOrder(connection, stream, data, chunk.OriginalLength - overlap, chunk.TimestampNs);
                }
            }
            finally
            {
                if (chunk.Data is not null)
                {
                    ArrayPool<byte>.Shared.Return(chunk.Data);
                }
            }
        }
    }

    /// <summary>
    /// Declares the hole before the earliest held chunk a gap once the chunk waited longer than the
    /// reorder window (or at once when <paramref name="everything"/>), and feeds what follows.
    /// </summary>
    private void ExpireHeld(TrackedConnection connection, TrackedStream stream, ulong nowNs, bool everything)
    {
        while (stream.HeldCount > 0 && IsLive(connection))
        {
            var first = stream.PeekHeld();
            if (first.Position > stream.Next)
            {
                if (!everything && (nowNs <= first.TimestampNs || nowNs - first.TimestampNs < _reorderWindowNs))
                {
                    return;
                }

                LoseBytes(connection, stream, first.Position - stream.Next);
            }

            DrainHeld(connection, stream);
        }
    }

    /// <summary>Feeds in-order bytes; uncaptured bytes after them (<paramref name="original"/> beyond the data) are a gap.</summary>
    private void FeedInOrder(TrackedConnection connection, TrackedStream stream, ReadOnlySpan<byte> data, long original, ulong timestampNs)
    {
        if (!data.IsEmpty)
        {
            Accept(connection, stream, data, timestampNs);
        }

        if (original > data.Length)
        {
            if (IsLive(connection))
            {
                LoseBytes(connection, stream, original - data.Length);
            }
            else
            {
                stream.Next += original - data.Length;
            }
        }
    }

    private void Accept(TrackedConnection connection, TrackedStream stream, ReadOnlySpan<byte> data, ulong timestampNs)
    {
        stream.RecordTime(stream.Next, timestampNs);
        switch (connection.State)
        {
            case TrackedConnectionState.Parsing:
                if (stream.BufferedLength == 0 && !_payloadMemory.InUse)
                {
                    ParseInPlace(connection, stream, data);
                }
                else
                {
                    stream.Append(data);
                    stream.Next += data.Length;
                    ParseBuffered(connection, stream);
                }

                break;

            case TrackedConnectionState.Undecided:
                stream.Append(data);
                stream.Next += data.Length;
                connection.UndecidedEvents++;
                Decide(connection, stream);
                break;

            default:
                stream.Next += data.Length;
                Statistics.AddBytesDroppedUnparsed(data.Length);
                return;
        }

        if (stream.BufferedLength > _maxBufferedPerStream && IsLive(connection))
        {
            DropOverCap(connection, stream);
        }
    }

    /// <summary>Parses an event's payload where it lies; only what the parser leaves is copied into the buffer.</summary>
    private unsafe void ParseInPlace(TrackedConnection connection, TrackedStream stream, ReadOnlySpan<byte> data)
    {
        var position = stream.Next;
        stream.Next += data.Length;
        long used;
        fixed (byte* pointer = data)
        {
            _payloadMemory.Set(pointer, data.Length);
            try
            {
                used = RunParser(connection, stream, new ReadOnlySequence<byte>(_payloadMemory.Memory), position);
            }
            finally
            {
                _payloadMemory.Clear();
            }
        }

        if (connection.State == TrackedConnectionState.Parsing && used < data.Length)
        {
            stream.Append(data[(int)used..]);
        }
    }

    private void ParseBuffered(TrackedConnection connection, TrackedStream stream)
    {
        var used = RunParser(connection, stream, stream.Buffered, stream.BufferStart);
        if (connection.State == TrackedConnectionState.Parsing)
        {
            stream.Consume((int)used);
        }
    }

    /// <summary>Runs the parser over contiguous bytes, resyncing after invalid data; returns the bytes used up.</summary>
    private long RunParser(TrackedConnection connection, TrackedStream stream, ReadOnlySequence<byte> data, long position)
    {
        var parser = connection.Parser!;
        var direction = stream.Direction;
        long used = 0;
        try
        {
            while (!data.IsEmpty)
            {
                if (stream.Resyncing)
                {
                    if (!parser.TryFindFrameStart(direction, data, out var frameStart))
                    {
                        var skipped = Math.Max(0, data.Length - ResyncTailBytes);
                        Statistics.AddResyncSkippedBytes(skipped);
                        return used + skipped;
                    }

                    var before = data.Slice(0, frameStart).Length;
                    Statistics.AddResyncSkippedBytes(before);
                    data = data.Slice(frameStart);
                    used += before;
                    position += before;
                    stream.Resyncing = false;
                    continue;
                }

                var status = parser.Parse(direction, data, position, out var consumed);
                var parsed = data.Slice(0, consumed).Length;
                data = data.Slice(consumed);
                used += parsed;
                position += parsed;

                switch (status)
                {
                    case ParseStatus.Continue:
                        return used;

                    case ParseStatus.Invalid:
                        Statistics.AddParseFailure();
                        if (!data.IsEmpty)
                        {
                            // Skip at least one byte so the same bytes are never rejected twice.
                            data = data.Slice(1);
                            used++;
                            position++;
                            Statistics.AddResyncSkippedBytes(1);
                        }

                        stream.Resyncing = true;
                        break;

                    default:
                        StopParsing(connection);
                        return used;
                }
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            ReportParserException(connection, exception);
        }

        return used;
    }

    /// <summary><paramref name="missing"/> bytes at the stream's end never arrived: a gap.</summary>
    private void LoseBytes(TrackedConnection connection, TrackedStream stream, long missing)
    {
        Statistics.AddGapBytes(missing);
        var unconsumed = stream.DropBuffered();
        stream.Next += missing;

        // The parser's partial frame is gone too, so from its side the gap starts where it stopped.
        Statistics.AddResyncSkippedBytes(unconsumed);
        TellParserBytesLost(connection, stream, unconsumed + missing);
    }

    /// <summary>The stream buffers more than its cap: drop the buffered bytes; to the parser they are a gap.</summary>
    private void DropOverCap(TrackedConnection connection, TrackedStream stream)
    {
        var dropped = stream.DropBuffered();
        Statistics.AddBytesDroppedOverMemoryCap(dropped);
        TellParserBytesLost(connection, stream, dropped);
    }

    private void TellParserBytesLost(TrackedConnection connection, TrackedStream stream, long lost)
    {
        if (lost <= 0)
        {
            return;
        }

        if (connection.State == TrackedConnectionState.Undecided)
        {
            stream.Resyncing = true;
            return;
        }

        if (connection.State != TrackedConnectionState.Parsing || stream.Resyncing)
        {
            // Already lost its place: it resyncs anyway.
            return;
        }

        bool absorbed;
        try
        {
            absorbed = connection.Parser!.OnGap(stream.Direction, lost);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            ReportParserException(connection, exception);
            return;
        }

        if (!absorbed)
        {
            stream.Resyncing = true;
        }
    }

    /// <summary>Picks the connection's parser: configured port, then the kernel's guess if its parser confirms it, then inference.</summary>
    private void Decide(TrackedConnection connection, TrackedStream stream)
    {
        IProtocolParser? parser = null;
        try
        {
            var info = connection.Connection;
            if (info.LocalEndPoint is { } local && info.RemoteEndPoint is { } remote)
            {
                parser = _registry.FindByPort(local.Port, remote.Port);
            }

            // The kernel's guess is a cheap filter with false positives by design: its parser must
            // confirm the bytes before it gets the connection; otherwise every parser is asked.
            if (parser is null
                && connection.KernelProtocol is not (WellKnownProtocol.None or WellKnownProtocol.Forced)
                && _registry.FindByKernelProtocol(connection.KernelProtocol) is { } guessed
                && guessed.Infer(stream.BufferedSpan, stream.Direction) >= ParserRegistry.InferenceThreshold)
            {
                parser = guessed;
            }

            parser ??= _registry.Infer(stream.BufferedSpan, stream.Direction, out _);
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

        if (stream.Next >= InferenceByteLimit || connection.UndecidedEvents >= InferenceEventLimit)
        {
            if (_logger is not null)
            {
                TrackerLog.NoProtocol(_logger, connection.Id, connection.Egress.Next + connection.Ingress.Next);
            }

            Disable(connection);
        }
    }

    private void Start(TrackedConnection connection, IProtocolParser parser)
    {
        connection.Protocol = parser;
        try
        {
            connection.Parser = parser.CreateConnectionParser(connection);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            ReportParserException(connection, exception);
            return;
        }

        connection.State = TrackedConnectionState.Parsing;

        // Bytes buffered while undecided: the direction that spoke first goes first, so requests
        // reach the parser before their responses.
        var first = connection.Egress;
        var second = connection.Ingress;
        if (second.FirstTimestampNs != 0 && (first.FirstTimestampNs == 0 || second.FirstTimestampNs < first.FirstTimestampNs))
        {
            (first, second) = (second, first);
        }

        FeedBuffered(connection, first);
        FeedBuffered(connection, second);
    }

    private void FeedBuffered(TrackedConnection connection, TrackedStream stream)
    {
        if (connection.State != TrackedConnectionState.Parsing || stream.BufferedLength == 0)
        {
            return;
        }

        ParseBuffered(connection, stream);
        if (stream.BufferedLength > _maxBufferedPerStream && IsLive(connection))
        {
            DropOverCap(connection, stream);
        }
    }

    private void StopParsing(TrackedConnection connection)
    {
        if (_logger is not null)
        {
            TrackerLog.ParserStopped(_logger, connection.Protocol?.Name ?? "?", connection.Id);
        }

        try
        {
            connection.Parser!.Complete();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            ReportParserException(connection, exception);
            return;
        }

        Disable(connection);
    }

    /// <summary>A parser threw: a bug in it, contained to its connection.</summary>
    private void ReportParserException(TrackedConnection connection, Exception exception)
    {
        Statistics.AddParseFailure();
        if (!connection.FailureLogged && _logger is not null)
        {
            connection.FailureLogged = true;
            TrackerLog.ParserThrew(_logger, connection.Protocol?.Name ?? "inference", connection.Id, exception);
        }

        Disable(connection);
    }

    /// <summary>Gives up on a connection: drops its data here and asks the kernel to stop sending it.</summary>
    private void Disable(TrackedConnection connection)
    {
        if (connection.State is TrackedConnectionState.Ignored or TrackedConnectionState.Finished)
        {
            return;
        }

        connection.State = TrackedConnectionState.Ignored;
        connection.Parser = null;
        Statistics.AddBytesDroppedUnparsed(connection.Egress.MemoryBytes + connection.Ingress.MemoryBytes);
        connection.Egress.Release();
        connection.Ingress.Release();
        Statistics.AddConnectionDisabled();

        if (_control is null)
        {
            return;
        }

        try
        {
            _control.Disable(connection.Id, connection.Connection.Encrypted);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            if (_logger is not null)
            {
                TrackerLog.DisableFailed(_logger, connection.Id, exception);
            }
        }
    }

    /// <summary>All connections together buffer more than the global cap: shed the largest streams first.</summary>
    private void ShedLargestBuffers()
    {
        // Shed a little below the cap so a tracker hovering at it does not rescan on every event.
        var target = _maxBufferedTotal - (_maxBufferedTotal / 8);
        while (_memory.BufferedBytes > target)
        {
            TrackedConnection? victim = null;
            TrackedStream? victimStream = null;
            long largest = 0;
            for (var connection = _newest; connection is not null; connection = connection.Older)
            {
                if (connection.Egress.MemoryBytes > largest)
                {
                    largest = connection.Egress.MemoryBytes;
                    victim = connection;
                    victimStream = connection.Egress;
                }

                if (connection.Ingress.MemoryBytes > largest)
                {
                    largest = connection.Ingress.MemoryBytes;
                    victim = connection;
                    victimStream = connection.Ingress;
                }
            }

            if (victim is null || victimStream is null)
            {
                return;
            }

            ShedStream(victim, victimStream);
        }
    }

    private void ShedStream(TrackedConnection connection, TrackedStream stream)
    {
        // Held data first becomes ordinary data (the holes before it gaps), so the parser may still use it.
        ExpireHeld(connection, stream, _nowNs, everything: true);
        if (stream.BufferedLength > 0 && IsLive(connection))
        {
            DropOverCap(connection, stream);
        }

        // Whatever is left (a connection no longer parsed) goes too.
        var left = stream.MemoryBytes;
        if (left > 0)
        {
            Statistics.AddBytesDroppedOverMemoryCap(left);
            stream.DropBuffered();
            stream.DropHeld();
        }
    }
}
