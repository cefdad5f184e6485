using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>
/// Reads one direction of a memcached connection, resumably at any byte: text lines and their data
/// blocks, or binary headers with their extras, key and value. Values are stepped over as they arrive and
/// never kept, so a gap inside one is absorbed.
/// </summary>
internal sealed class MemcachedFrameReader : IFrameReader<MemcachedFrame>
{
    private readonly MemcachedParserOptions _options;
    private byte[] _scratch = [];
    private MemcachedFrame? _inValue;
    private long _valueRemaining;
    private MemcachedFrame? _ready;

    public MemcachedFrameReader(MemcachedParserOptions options) => _options = options;

    public FrameReadStatus Read(ReadOnlySequence<byte> data, long streamPosition, ref long offset)
    {
        if (_inValue is not null)
        {
            long take = Math.Min(_valueRemaining, data.Length - offset);
            offset += take;
            _valueRemaining -= take;
            if (_valueRemaining > 0)
            {
                return FrameReadStatus.NeedMore;
            }

            _ready = _inValue;
            _inValue = null;
            return FrameReadStatus.Frame;
        }

        var rest = data.Slice(offset);
        if (rest.IsEmpty)
        {
            return FrameReadStatus.NeedMore;
        }

        var status = MemcachedBinary.IsMagic(rest.FirstSpan[0])
            ? ReadBinary(rest, out var frame, out long frameLength, out long trailing)
            : ReadText(rest, out frame, out frameLength, out trailing);
        if (status != FrameReadStatus.Frame)
        {
            return status;
        }

        frame!.Position = streamPosition + offset;
        offset += frameLength;
        if (trailing > 0)
        {
            _inValue = frame;
            _valueRemaining = trailing;
            return Read(data, streamPosition, ref offset);
        }

        _ready = frame;
        return FrameReadStatus.Frame;
    }

    public MemcachedFrame TakeFrame()
    {
        var frame = _ready ?? throw new InvalidOperationException("No frame was read.");
        _ready = null;
        return frame;
    }

    /// <summary>Absorbs a gap that falls inside the value being stepped over.</summary>
    public bool OnGap(long length)
    {
        if (_inValue is null || length > _valueRemaining)
        {
            return false;
        }

        _valueRemaining -= length;
        return true;
    }

    public void Reset()
    {
        _inValue = null;
        _ready = null;
    }

    private FrameReadStatus ReadText(ReadOnlySequence<byte> rest, out MemcachedFrame? frame, out long frameLength, out long trailing)
    {
        frame = null;
        frameLength = 0;
        trailing = 0;
        var newline = rest.PositionOf((byte)'\n');
        if (newline is null)
        {
            return rest.Length > _options.MaxLineBytes || !CouldStartWord(rest.FirstSpan[0]) ? FrameReadStatus.Invalid : FrameReadStatus.NeedMore;
        }

        var lineSequence = rest.Slice(0, newline.Value);
        if (lineSequence.Length > _options.MaxLineBytes)
        {
            return FrameReadStatus.Invalid;
        }

        var line = Contiguous(lineSequence);
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (!MemcachedTextLine.TryParse(line, _options, out frame))
        {
            return FrameReadStatus.Invalid;
        }

        frameLength = lineSequence.Length + 1;
        trailing = frame!.ValueSize >= 0 ? frame.ValueSize + 2 : 0;
        return FrameReadStatus.Frame;
    }

    private FrameReadStatus ReadBinary(ReadOnlySequence<byte> rest, out MemcachedFrame? frame, out long frameLength, out long trailing)
    {
        frame = null;
        frameLength = 0;
        trailing = 0;
        Span<byte> header = stackalloc byte[MemcachedBinary.HeaderLength];
        if (rest.Length < MemcachedBinary.HeaderLength)
        {
            rest.CopyTo(header);
            return header[1] <= 0x24 || rest.Length < 2 ? FrameReadStatus.NeedMore : FrameReadStatus.Invalid;
        }

        rest.Slice(0, MemcachedBinary.HeaderLength).CopyTo(header);
        if (!MemcachedBinary.IsPlausible(header, _options))
        {
            return FrameReadStatus.Invalid;
        }

        int extras = header[4];
        int keyLength = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
        uint body = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        if (rest.Length < MemcachedBinary.HeaderLength + extras + keyLength)
        {
            return FrameReadStatus.NeedMore;
        }

        bool request = header[0] == MemcachedBinary.RequestMagic;
        byte opcode = header[1];
        var result = new MemcachedFrame
        {
            Dialect = MemcachedDialect.Binary,
            IsCommand = request,
            Word = MemcachedBinary.OpcodeName(opcode)!,
            Opcode = opcode,
            Status = request ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(header[6..]),
            Opaque = BinaryPrimitives.ReadUInt32BigEndian(header[12..]).ToString(CultureInfo.InvariantCulture),
            NoReply = request && MemcachedBinary.IsQuiet(opcode),
        };
        if (keyLength > 0)
        {
            result.AddKey(Contiguous(rest.Slice(MemcachedBinary.HeaderLength + extras, keyLength)), _options);
        }

        long value = body - extras - keyLength;
        result.ValueSize = value;
        frame = result;
        frameLength = MemcachedBinary.HeaderLength + extras + keyLength;
        trailing = value;
        return FrameReadStatus.Frame;
    }

    private static bool CouldStartWord(byte first) =>
        first is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9';

    private ReadOnlySpan<byte> Contiguous(ReadOnlySequence<byte> sequence)
    {
        if (sequence.IsSingleSegment)
        {
            return sequence.FirstSpan;
        }

        if (_scratch.Length < sequence.Length)
        {
            _scratch = new byte[Math.Max((int)sequence.Length, Math.Min(_scratch.Length * 2, _options.MaxLineBytes))];
        }

        sequence.CopyTo(_scratch);
        return _scratch.AsSpan(0, (int)sequence.Length);
    }
}
