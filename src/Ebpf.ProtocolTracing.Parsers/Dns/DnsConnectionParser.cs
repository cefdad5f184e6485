using System.Buffers;
using System.Buffers.Binary;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Dns;

/// <summary>
/// One socket's DNS: over UDP every <see cref="Parse"/> call is one whole datagram; over TCP the stream
/// is a sequence of messages, each after a 2-byte length (https://www.rfc-editor.org/rfc/rfc1035#section-4.2.2).
/// </summary>
internal sealed class DnsConnectionParser : IConnectionParser
{
    private const int MaxMessageBytes = ushort.MaxValue;

    private readonly IParseContext _context;
    private readonly DnsParserOptions _options;
    private readonly DnsExchangeMatcher _matcher;

    public DnsConnectionParser(IParseContext context, DnsParserOptions options)
    {
        _context = context;
        _options = options;
        _matcher = new DnsExchangeMatcher(context, options);
    }

    /// <summary>Queries waiting for a response (for tests and bounds).</summary>
    internal int PendingCount => _matcher.PendingCount;

    /// <inheritdoc />
    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        if (_context.Connection.Transport == TransportProtocol.Udp)
        {
            consumed = data.End;
            return ParseMessage(direction, data, streamPosition) ? ParseStatus.Continue : ParseStatus.Invalid;
        }

        return ParseStream(direction, data, streamPosition, out consumed);
    }

    /// <inheritdoc />
    public bool OnGap(StreamDirection direction, long length)
    {
        // A lost piece of a TCP stream takes the message framing with it: resync at the next length prefix.
        // Messages are small, so the loss is in whole messages; the answers it may have held were for
        // queries the other direction sent.
        _matcher.MarkLost(direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress);
        return false;
    }

    /// <inheritdoc />
    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        var span = Flatten(data, out var rented);
        try
        {
            for (var i = 0; i + DnsInference.LengthPrefixBytes + DnsHeader.Size <= span.Length; i++)
            {
                if (DnsInference.LooksLikeFrameStart(span[i..]))
                {
                    frameStart = data.GetPosition(i);
                    return true;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        frameStart = data.Start;
        return false;
    }

    /// <inheritdoc />
    public void Complete() => _matcher.Flush();

    private ParseStatus ParseStream(StreamDirection direction, ReadOnlySequence<byte> data, long position, out SequencePosition consumed)
    {
        consumed = data.Start;
        Span<byte> prefix = stackalloc byte[DnsInference.LengthPrefixBytes];
        while (data.Length >= DnsInference.LengthPrefixBytes)
        {
            data.Slice(0, DnsInference.LengthPrefixBytes).CopyTo(prefix);
            var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
            if (length < DnsHeader.Size)
            {
                return Invalid(data, out consumed);
            }

            if (data.Length < DnsInference.LengthPrefixBytes + length)
            {
                return ParseStatus.Continue;
            }

            var message = data.Slice(DnsInference.LengthPrefixBytes, length);
            if (!ParseMessage(direction, message, position))
            {
                return Invalid(data, out consumed);
            }

            data = data.Slice(message.End);
            consumed = data.Start;
            position += DnsInference.LengthPrefixBytes + length;
        }

        return ParseStatus.Continue;
    }

    // Consumes the bad frame's first byte so the same bytes are never rejected twice; resync finds the next frame.
    private static ParseStatus Invalid(ReadOnlySequence<byte> data, out SequencePosition consumed)
    {
        consumed = data.GetPosition(1);
        return ParseStatus.Invalid;
    }

    private bool ParseMessage(StreamDirection direction, ReadOnlySequence<byte> data, long position)
    {
        if (data.Length > MaxMessageBytes)
        {
            return false;
        }

        var span = Flatten(data, out var rented);
        try
        {
            var message = DnsMessageReader.TryRead(span, _options);
            if (message is null)
            {
                return false;
            }

            _matcher.OnMessage(message, direction, _context.TimeAt(direction, position));
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static ReadOnlySpan<byte> Flatten(ReadOnlySequence<byte> data, out byte[]? rented)
    {
        rented = null;
        if (data.IsSingleSegment)
        {
            return data.FirstSpan;
        }

        var length = (int)Math.Min(data.Length, MaxMessageBytes + DnsInference.LengthPrefixBytes);
        rented = ArrayPool<byte>.Shared.Rent(length);
        data.Slice(0, length).CopyTo(rented);
        return rented.AsSpan(0, length);
    }
}
