using System.Buffers;
using System.Buffers.Binary;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// Reads one direction of an AMQP 0-9-1 connection frame by frame, resumably at any byte (spec 4.2.3:
/// type octet, channel short, size long, payload, frame-end 0xCE). Method and content header frames are
/// read whole and decoded; body frames are consumed as they arrive with only their first bytes kept, so a
/// gap inside a body is absorbed.
/// </summary>
internal sealed class AmqpFrameReader : IFrameReader<AmqpFrame>
{
    /// <summary>Type, channel and size.</summary>
    public const int FrameHeaderSize = 7;

    /// <summary>The octet that ends every frame.</summary>
    public const byte FrameEnd = 0xCE;

    /// <summary>Length of the protocol header <c>AMQP\0\0\x09\x01</c>.</summary>
    public const int ProtocolHeaderSize = 8;

    private readonly AmqpParserOptions _options;
    private readonly byte[] _bodyKept;
    private byte[] _scratch = [];
    private AmqpFrameType _streamingType;
    private ushort _streamingChannel;
    private long _streamingPosition;
    private long _streamingSize;
    private long _remaining;
    private bool _streaming;
    private bool _endSkipped;
    private bool _gap;
    private int _bodyKeptLength;
    private AmqpFrame? _ready;

    public AmqpFrameReader(AmqpParserOptions options)
    {
        _options = options;
        _bodyKept = new byte[options.MaxBodyBytes];
    }

    /// <summary>Whether a body (or heartbeat) payload is being consumed.</summary>
    public bool InPayload => _streaming;

    public FrameReadStatus Read(ReadOnlySequence<byte> data, long streamPosition, ref long offset)
    {
        if (_streaming)
        {
            return ReadStreamedPayload(data, ref offset);
        }

        var rest = data.Slice(offset);
        if (rest.IsEmpty)
        {
            return FrameReadStatus.NeedMore;
        }

        Span<byte> head = stackalloc byte[ProtocolHeaderSize];
        int headLength = (int)Math.Min(rest.Length, ProtocolHeaderSize);
        rest.Slice(0, headLength).CopyTo(head);
        if (head[0] == (byte)'A')
        {
            return ReadProtocolHeader(head[..headLength], streamPosition + offset, ref offset);
        }

        var type = (AmqpFrameType)head[0];
        if (type is not (AmqpFrameType.Method or AmqpFrameType.Header or AmqpFrameType.Body or AmqpFrameType.Heartbeat))
        {
            return FrameReadStatus.Invalid;
        }

        if (headLength < FrameHeaderSize)
        {
            return FrameReadStatus.NeedMore;
        }

        ushort channel = BinaryPrimitives.ReadUInt16BigEndian(head[1..]);
        uint size = BinaryPrimitives.ReadUInt32BigEndian(head[3..]);
        if (type is AmqpFrameType.Body or AmqpFrameType.Heartbeat)
        {
            if (size > _options.MaxFrameBytes || (type == AmqpFrameType.Heartbeat && channel != 0))
            {
                return FrameReadStatus.Invalid;
            }

            _streaming = true;
            _streamingType = type;
            _streamingChannel = channel;
            _streamingPosition = streamPosition + offset;
            _streamingSize = size;
            _remaining = size;
            _endSkipped = false;
            _gap = false;
            _bodyKeptLength = 0;
            offset += FrameHeaderSize;
            return ReadStreamedPayload(data, ref offset);
        }

        if (size > _options.MaxMethodFrameBytes)
        {
            return FrameReadStatus.Invalid;
        }

        long frameLength = FrameHeaderSize + size + 1;
        if (rest.Length < frameLength)
        {
            return FrameReadStatus.NeedMore;
        }

        if (rest.Slice(frameLength - 1, 1).FirstSpan[0] != FrameEnd)
        {
            return FrameReadStatus.Invalid;
        }

        var payload = Contiguous(rest.Slice(FrameHeaderSize, size));
        AmqpFrame? frame = type == AmqpFrameType.Method
            ? AmqpMethodDecoder.Decode(payload, _options) is { } method
                ? new AmqpFrame { Type = type, Channel = channel, Position = streamPosition + offset, PayloadSize = size, Method = method }
                : null
            : AmqpContentHeaderDecoder.Decode(payload) is { } header
                ? new AmqpFrame { Type = type, Channel = channel, Position = streamPosition + offset, PayloadSize = size, Header = header }
                : null;
        if (frame is null)
        {
            return FrameReadStatus.Invalid;
        }

        offset += frameLength;
        _ready = frame;
        return FrameReadStatus.Frame;
    }

    public AmqpFrame TakeFrame()
    {
        var frame = _ready ?? throw new InvalidOperationException("No frame was read.");
        _ready = null;
        return frame;
    }

    /// <summary>Absorbs missing bytes that fall inside the body (or heartbeat) payload being read, its frame-end octet included.</summary>
    public bool OnGap(long length)
    {
        if (!_streaming || _endSkipped || length > _remaining + 1)
        {
            return false;
        }

        if (length == _remaining + 1)
        {
            _remaining = 0;
            _endSkipped = true;
        }
        else
        {
            _remaining -= length;
        }

        _gap = true;
        return true;
    }

    public void Reset()
    {
        _streaming = false;
        _ready = null;
    }

    private FrameReadStatus ReadProtocolHeader(ReadOnlySpan<byte> head, long position, ref long offset)
    {
        // "AMQP" then the protocol id and version (0 0 9 1 for 0-9-1; a server answers a version it
        // does not speak with the header of one it does).
        ReadOnlySpan<byte> magic = "AMQP"u8;
        int compared = Math.Min(head.Length, magic.Length);
        if (!head[..compared].SequenceEqual(magic[..compared]))
        {
            return FrameReadStatus.Invalid;
        }

        if (head.Length < ProtocolHeaderSize)
        {
            return FrameReadStatus.NeedMore;
        }

        offset += ProtocolHeaderSize;
        _ready = new AmqpFrame { Type = AmqpFrameType.ProtocolHeader, Position = position };
        return FrameReadStatus.Frame;
    }

    private FrameReadStatus ReadStreamedPayload(ReadOnlySequence<byte> data, ref long offset)
    {
        long available = data.Length - offset;
        long take = Math.Min(_remaining, available);
        if (take > 0)
        {
            if (!_gap && _bodyKeptLength < _bodyKept.Length)
            {
                int count = (int)Math.Min(take, _bodyKept.Length - _bodyKeptLength);
                data.Slice(offset, count).CopyTo(_bodyKept.AsSpan(_bodyKeptLength));
                _bodyKeptLength += count;
            }

            offset += take;
            _remaining -= take;
        }

        if (_remaining > 0)
        {
            return FrameReadStatus.NeedMore;
        }

        if (!_endSkipped)
        {
            if (offset >= data.Length)
            {
                return FrameReadStatus.NeedMore;
            }

            if (data.Slice(offset, 1).FirstSpan[0] != FrameEnd)
            {
                _streaming = false;
                return FrameReadStatus.Invalid;
            }

            offset++;
        }

        _streaming = false;
        _ready = new AmqpFrame
        {
            Type = _streamingType,
            Channel = _streamingChannel,
            Position = _streamingPosition,
            PayloadSize = _streamingSize,
            BodyKept = _bodyKept.AsMemory(0, _bodyKeptLength),
            BodyGap = _gap,
        };
        return FrameReadStatus.Frame;
    }

    private ReadOnlySpan<byte> Contiguous(ReadOnlySequence<byte> sequence)
    {
        if (sequence.IsSingleSegment)
        {
            return sequence.FirstSpan;
        }

        if (_scratch.Length < sequence.Length)
        {
            _scratch = new byte[Math.Max((int)sequence.Length, Math.Min(_scratch.Length * 2, _options.MaxMethodFrameBytes))];
        }

        sequence.CopyTo(_scratch);
        return _scratch.AsSpan(0, (int)sequence.Length);
    }
}
