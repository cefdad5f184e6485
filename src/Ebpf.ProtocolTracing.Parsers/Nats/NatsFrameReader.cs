using System.Buffers;
using System.Text;
using Ebpf.ProtocolTracing.Redis;

using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Nats;

/// <summary>
/// Reads one direction of a NATS connection, resumably at any byte: control lines, then for messages the
/// header block and payload of the declared size, consumed as they arrive (only their first bytes are
/// kept), so a gap inside them is absorbed.
/// </summary>
internal sealed class NatsFrameReader : IFrameReader<NatsFrame>
{
    private readonly NatsParserOptions _options;
    private readonly byte[] _headerKept;
    private readonly byte[] _payloadKept;
    private byte[] _line = [];
    private NatsFrame? _message;
    private long _messageRead;
    private int _headerKeptLength;
    private int _payloadKeptLength;
    private bool _messageGap;
    private NatsFrame? _ready;

    public NatsFrameReader(NatsParserOptions options)
    {
        _options = options;
        _headerKept = new byte[options.MaxHeaderBytes];
        _payloadKept = new byte[options.MaxPayloadBytes];
    }

    /// <summary>Whether a message's header block or payload is being read.</summary>
    public bool InMessage => _message is not null;

    /// <summary>
    /// Reads from <paramref name="offset"/> on and advances it past what was consumed; returns each
    /// complete frame as soon as it is read (take it with <see cref="TakeFrame"/>).
    /// </summary>
    public FrameReadStatus Read(ReadOnlySequence<byte> data, long streamPosition, ref long offset)
    {
        while (true)
        {
            if (_message is not null)
            {
                if (!ReadMessageBytes(data, ref offset))
                {
                    return FrameReadStatus.NeedMore;
                }

                FinishMessage();
                return FrameReadStatus.Frame;
            }

            var rest = data.Slice(offset);
            var newline = rest.PositionOf((byte)'\n');
            if (newline is null)
            {
                return rest.Length > _options.MaxLineBytes || !CouldStartLine(rest) ? FrameReadStatus.Invalid : FrameReadStatus.NeedMore;
            }

            var lineSequence = rest.Slice(0, newline.Value);
            long lineLength = lineSequence.Length;
            if (lineLength > _options.MaxLineBytes)
            {
                return FrameReadStatus.Invalid;
            }

            var line = Contiguous(lineSequence);
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (!NatsLineParser.TryParse(line, _options, out var frame) || frame is null)
            {
                return FrameReadStatus.Invalid;
            }

            frame.Position = streamPosition + offset;
            offset += lineLength + 1;
            if (!frame.HasMessage)
            {
                _ready = frame;
                return FrameReadStatus.Frame;
            }

            _message = frame;
            _messageRead = 0;
            _headerKeptLength = 0;
            _payloadKeptLength = 0;
            _messageGap = false;
        }
    }

    /// <summary>The frame the last <see cref="FrameReadStatus.Frame"/> stood for.</summary>
    public NatsFrame TakeFrame()
    {
        var frame = _ready ?? throw new InvalidOperationException("No frame was read.");
        _ready = null;
        return frame;
    }

    /// <summary>
    /// Bytes right after the consumed ones were not captured. Absorbed when they fall inside the message
    /// being read (its line end included).
    /// </summary>
    public bool OnGap(long length)
    {
        if (_message is null || length > MessageRemaining)
        {
            return false;
        }

        _messageRead += length;
        _messageGap = true;
        return true;
    }

    /// <summary>Forgets any partial message (the stream lost its place).</summary>
    public void Reset()
    {
        _message = null;
        _ready = null;
    }

    /// <summary>Bytes still to come of the message being read: its declared size and the line end after it.</summary>
    private long MessageRemaining => _message is null ? 0 : _message.TotalSize + 2 - _messageRead;

    private static bool CouldStartLine(ReadOnlySequence<byte> rest)
    {
        // A partial line is only worth waiting for when its first byte can begin an operation name.
        if (rest.IsEmpty)
        {
            return true;
        }

        byte first = rest.FirstSpan[0];
        return (first | 0x20) is (byte)'p' or (byte)'s' or (byte)'m' or (byte)'i' or (byte)'c' or (byte)'h' or (byte)'u'
            || first is (byte)'+' or (byte)'-';
    }

    private ReadOnlySpan<byte> Contiguous(ReadOnlySequence<byte> sequence)
    {
        if (sequence.IsSingleSegment)
        {
            return sequence.FirstSpan;
        }

        if (_line.Length < sequence.Length)
        {
            _line = new byte[Math.Max((int)sequence.Length, Math.Min(_line.Length * 2, _options.MaxLineBytes))];
        }

        sequence.CopyTo(_line);
        return _line.AsSpan(0, (int)sequence.Length);
    }

    /// <summary>Consumes message bytes; <see langword="true"/> when the message and its line end are all read.</summary>
    private bool ReadMessageBytes(ReadOnlySequence<byte> data, ref long offset)
    {
        var message = _message!;
        long remaining = MessageRemaining;
        long available = data.Length - offset;
        long take = Math.Min(remaining, available);
        if (take > 0 && !_messageGap)
        {
            Keep(data.Slice(offset, take), message.HeaderSize);
        }

        offset += take;
        _messageRead += take;
        return MessageRemaining == 0;
    }

    private void Keep(ReadOnlySequence<byte> bytes, long headerSize)
    {
        long at = _messageRead;
        foreach (var segment in bytes)
        {
            var span = segment.Span;
            if (at < headerSize && _headerKeptLength < _headerKept.Length)
            {
                int count = (int)Math.Min(Math.Min(span.Length, headerSize - at), _headerKept.Length - _headerKeptLength);
                span[..count].CopyTo(_headerKept.AsSpan(_headerKeptLength));
                _headerKeptLength += count;
            }

            long payloadStart = Math.Max(at, headerSize);
            long payloadEnd = Math.Min(at + span.Length, _message!.TotalSize);
            if (payloadEnd > payloadStart && _payloadKeptLength < _payloadKept.Length)
            {
                int from = (int)(payloadStart - at);
                int count = (int)Math.Min(payloadEnd - payloadStart, _payloadKept.Length - _payloadKeptLength);
                span.Slice(from, count).CopyTo(_payloadKept.AsSpan(_payloadKeptLength));
                _payloadKeptLength += count;
            }

            at += span.Length;
        }
    }

    private void FinishMessage()
    {
        var message = _message!;
        _message = null;
        long payloadSize = message.TotalSize - message.HeaderSize;

        // A gap keeps what came before it; with nothing kept of a non-empty payload there is no preview.
        if (payloadSize == 0 || _payloadKeptLength > 0)
        {
            message.Payload = RespText.Escape(_payloadKept.AsSpan(0, _payloadKeptLength));
        }

        if (message.HeaderSize > 0 && _headerKeptLength > 0)
        {
            NatsHeaderBlock.Decode(_headerKept.AsSpan(0, _headerKeptLength), message);
        }

        _ready = message;
    }
}
