using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>
/// Feeds one connection parser exactly as the connection tracker does: unconsumed bytes are handed back
/// with the next delivery; Invalid skips one byte and resyncs with TryFindFrameStart, which keeps a short
/// tail when it finds nothing; a gap drops the unconsumed bytes and tells the parser how much it lost;
/// the per-direction buffer is capped; Stop ends parsing; Complete runs at the end.
/// </summary>
internal sealed class StreamFeeder
{
    // Same as the tracker: the bytes kept after a resync that found no frame start...
    private const int ResyncTailBytes = 8 * 1024;

    // ...and the default per-direction buffer cap (ProtocolTracingOptions.MaxBufferedBytesPerConnection).
    private const int MaxBufferedPerDirection = 1024 * 1024;

    private readonly IConnectionParser _parser;
    private readonly bool _multiSegment;
    private readonly byte[][] _buffers = [new byte[4096], new byte[4096]];
    private readonly int[] _lengths = new int[2];
    private readonly long[] _bufferStart = new long[2];
    private readonly bool[] _resyncing = new bool[2];
    private bool _stopped;

    public StreamFeeder(IConnectionParser parser, bool multiSegment)
    {
        _parser = parser;
        _multiSegment = multiSegment;
    }

    public void Deliver(StreamDirection direction, ReadOnlySpan<byte> bytes)
    {
        int d = (int)direction;
        if (_stopped)
        {
            _bufferStart[d] += bytes.Length;
            return;
        }

        Append(d, bytes);
        var used = RunParser(direction, _bufferStart[d]);
        if (_stopped)
        {
            return;
        }

        Consume(d, (int)used);
        if (_lengths[d] > MaxBufferedPerDirection)
        {
            // The tracker drops what is over its cap; to the parser those bytes are a gap.
            var dropped = _lengths[d];
            Consume(d, dropped);
            TellLost(direction, dropped);
        }
    }

    public void Gap(StreamDirection direction, long length)
    {
        int d = (int)direction;
        var unconsumed = _lengths[d];
        Consume(d, unconsumed);
        _bufferStart[d] += length;
        if (!_stopped)
        {
            TellLost(direction, unconsumed + length);
        }
    }

    public void Complete() => _parser.Complete();

    private void TellLost(StreamDirection direction, long lost)
    {
        int d = (int)direction;
        if (lost <= 0 || _resyncing[d])
        {
            return;
        }

        if (!_parser.OnGap(direction, lost))
        {
            _resyncing[d] = true;
        }
    }

    private long RunParser(StreamDirection direction, long position)
    {
        int d = (int)direction;
        var data = Sequence(d);
        long used = 0;
        for (int round = 0; !data.IsEmpty; round++)
        {
            if (round > 1_000_000)
            {
                throw new FuzzFinding("The parser kept returning without making progress (over a million rounds for one delivery).");
            }

            if (_resyncing[d])
            {
                if (!_parser.TryFindFrameStart(direction, data, out var frameStart))
                {
                    return used + Math.Max(0, data.Length - ResyncTailBytes);
                }

                var before = Within(data, frameStart, "TryFindFrameStart");
                data = data.Slice(before);
                used += before;
                position += before;
                _resyncing[d] = false;
                continue;
            }

            var status = _parser.Parse(direction, data, position, out var consumed);
            var parsed = Within(data, consumed, "Parse");
            data = data.Slice(parsed);
            used += parsed;
            position += parsed;
            switch (status)
            {
                case ParseStatus.Continue:
                    return used;
                case ParseStatus.Invalid:
                    if (!data.IsEmpty)
                    {
                        data = data.Slice(1);
                        used++;
                        position++;
                    }

                    _resyncing[d] = true;
                    break;
                case ParseStatus.Stop:
                    _stopped = true;
                    return used;
                default:
                    throw new FuzzFinding($"Parse returned an undefined status {(int)status}.");
            }
        }

        return used;
    }

    /// <summary>The length up to <paramref name="position"/>, which must lie inside <paramref name="data"/>.</summary>
    private static long Within(ReadOnlySequence<byte> data, SequencePosition position, string method)
    {
        try
        {
            return data.Slice(0, position).Length;
        }
        catch (ArgumentOutOfRangeException exception)
        {
            throw new FuzzFinding($"{method} returned a position outside the bytes it was given.", exception);
        }
    }

    private ReadOnlySequence<byte> Sequence(int d)
    {
        var memory = _buffers[d].AsMemory(0, _lengths[d]);
        return _multiSegment ? Segments.Split(memory) : new ReadOnlySequence<byte>(memory);
    }

    private void Append(int d, ReadOnlySpan<byte> bytes)
    {
        var needed = _lengths[d] + bytes.Length;
        if (needed > _buffers[d].Length)
        {
            Array.Resize(ref _buffers[d], Math.Max(needed, _buffers[d].Length * 2));
        }

        bytes.CopyTo(_buffers[d].AsSpan(_lengths[d]));
        _lengths[d] = needed;
    }

    private void Consume(int d, int count)
    {
        if (count <= 0)
        {
            return;
        }

        var buffer = _buffers[d];
        buffer.AsSpan(count, _lengths[d] - count).CopyTo(buffer);
        _lengths[d] -= count;
        _bufferStart[d] += count;
    }
}
