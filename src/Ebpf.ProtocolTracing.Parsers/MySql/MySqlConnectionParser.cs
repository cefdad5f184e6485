using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// One connection's MySQL state: frames packets in both directions (long packets are decoded from their
/// first bytes and the rest skipped as it arrives), reads commands on the client's stream, follows each
/// response on the server's, and pairs them in order — the protocol answers every command before the next.
/// </summary>
internal sealed partial class MySqlConnectionParser : IConnectionParser
{
    private readonly IParseContext _context;
    private readonly MySqlParserOptions _options;
    private readonly MySqlStatementCache _statements;
    private readonly Queue<MySqlExchange> _pending = new();
    private readonly MySqlPacketStream[] _streams = [new(), new()];
    private StreamDirection? _clientDirection;

    /// <summary>The exchange whose response packets are arriving (the head of the queue, or a response whose command was not seen).</summary>
    private MySqlExchange? _responding;
    private uint _capabilities;
    private bool _requestsLost;
    private bool _responsesLost;
    private bool _swallowTrailingEof;
    private bool _stopped;

    public MySqlConnectionParser(IParseContext context, MySqlParserOptions options)
    {
        _context = context;
        _options = options;
        _statements = new MySqlStatementCache(options.MaxCachedStatements);
        _clientDirection = context.Connection.Role switch
        {
            ConnectionRole.Client => StreamDirection.Egress,
            ConnectionRole.Server => StreamDirection.Ingress,
            _ => null,
        };
    }

    /// <summary>Commands waiting for (or receiving) their responses, for tests that check the bound.</summary>
    internal int PendingCount => _pending.Count;

    /// <summary>Prepared statements remembered, for tests that check the bound.</summary>
    internal int CachedStatementCount => _statements.Count;

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        if (_stopped)
        {
            consumed = data.Start;
            return ParseStatus.Stop;
        }

        var stream = _streams[(int)direction];
        long offset = 0;
        Span<byte> header = stackalloc byte[MySqlProtocol.HeaderLength];
        while (true)
        {
            var rest = data.Slice(offset);
            if (stream.SkipRemaining > 0)
            {
                long take = Math.Min(stream.SkipRemaining, rest.Length);
                offset += take;
                stream.SkipRemaining -= take;
                if (stream.SkipRemaining > 0)
                {
                    break;
                }

                continue;
            }

            if (rest.Length < MySqlProtocol.HeaderLength)
            {
                break;
            }

            rest.Slice(0, MySqlProtocol.HeaderLength).CopyTo(header);
            int length = header[0] | (header[1] << 8) | (header[2] << 16);
            byte sequence = header[3];
            if (stream.Continuation)
            {
                // The rest of a payload longer than one packet: only its first packet's start is decoded.
                offset += MySqlProtocol.HeaderLength;
                stream.SkipRemaining = length;
                stream.Continuation = length == MySqlProtocol.MaxPayloadLength;
                continue;
            }

            int keep = Math.Min(length, _options.MaxPacketBytes);
            if (rest.Length < MySqlProtocol.HeaderLength + keep)
            {
                break;
            }

            var status = OnPacket(direction, sequence, rest.Slice(MySqlProtocol.HeaderLength, keep), length, streamPosition + offset);
            if (status == ParseStatus.Invalid)
            {
                // Resync strictly after this packet's first byte.
                consumed = data.GetPosition(offset + 1);
                stream.Reset();
                return ParseStatus.Invalid;
            }

            offset += MySqlProtocol.HeaderLength + keep;
            stream.SkipRemaining = length - keep;
            stream.Continuation = length == MySqlProtocol.MaxPayloadLength;
            if (status == ParseStatus.Stop)
            {
                _stopped = true;
                consumed = data.GetPosition(offset);
                return ParseStatus.Stop;
            }
        }

        consumed = data.GetPosition(offset);
        return ParseStatus.Continue;
    }

    private ParseStatus OnPacket(StreamDirection direction, byte sequence, ReadOnlySequence<byte> payloadBytes, int length, long position)
    {
        byte[]? rented = null;
        ReadOnlySpan<byte> payload;
        if (payloadBytes.IsSingleSegment)
        {
            payload = payloadBytes.FirstSpan;
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent((int)payloadBytes.Length);
            payloadBytes.CopyTo(rented);
            payload = rented.AsSpan(0, (int)payloadBytes.Length);
        }

        try
        {
            if (_clientDirection is null && !TryLearnDirection(direction, sequence, payload, length))
            {
                return ParseStatus.Invalid;
            }

            return direction == _clientDirection
                ? OnClientPacket(direction, sequence, payload, length, position)
                : OnServerPacket(direction, sequence, payload, length, position);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Without a known role, the first greeting or command tells which stream is the client's.</summary>
    private bool TryLearnDirection(StreamDirection direction, byte sequence, ReadOnlySpan<byte> payload, int length)
    {
        if (sequence != 0 || payload.IsEmpty)
        {
            return false;
        }

        if (MySqlHandshake.LooksLikeGreeting(payload))
        {
            _clientDirection = Other(direction);
            return true;
        }

        if (MySqlProtocol.CommandOf(payload[0]) is not null && MySqlProtocol.IsPlausibleLength(payload[0], length))
        {
            _clientDirection = direction;
            return true;
        }

        return false;
    }

    public bool OnGap(StreamDirection direction, long length)
    {
        if (_stopped || length <= 0)
        {
            return true;
        }

        var stream = _streams[(int)direction];
        if (stream.SkipRemaining >= length)
        {
            // Inside the skipped part of a long packet: nothing decoded was lost.
            stream.SkipRemaining -= length;
            return true;
        }

        stream.Reset();
        if (_clientDirection is not { } clientDirection)
        {
            return false;
        }

        if (direction == clientDirection)
        {
            _requestsLost = true;
        }
        else
        {
            _responsesLost = true;
            _swallowTrailingEof = false;
            if (_responding is { } responding)
            {
                // The response in progress cannot be finished: emit what is known.
                responding.DataLost = true;
                Finish(responding);
            }
        }

        return false;
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        var expect = _clientDirection is not { } clientDirection ? MySqlFrameFinder.Expect.Any
            : clientDirection == direction ? MySqlFrameFinder.Expect.Command
            : MySqlFrameFinder.Expect.Response;
        if (MySqlFrameFinder.TryFind(data, expect, out long offset))
        {
            _streams[(int)direction].Reset();
            frameStart = data.GetPosition(offset);
            return true;
        }

        frameStart = data.Start;
        return false;
    }

    public void Complete()
    {
        if (_responding is { } responding && !_pending.Contains(responding))
        {
            responding.DataLost = true;
            Emit(responding);
        }

        while (_pending.TryDequeue(out var exchange))
        {
            // A response cut by the close is incomplete; a command that got no response is just that.
            exchange.DataLost |= exchange.ResponseTime is not null;
            Emit(exchange);
        }

        _responding = null;
    }

    /// <summary>The exchange is complete: it leaves the queue and becomes a record.</summary>
    private void Finish(MySqlExchange exchange)
    {
        if (_pending.TryPeek(out var head) && ReferenceEquals(head, exchange))
        {
            _pending.Dequeue();
        }

        if (ReferenceEquals(_responding, exchange))
        {
            _responding = null;
        }

        Emit(exchange);
    }

    private void Emit(MySqlExchange exchange) => _context.Emit(MySqlRecordBuilder.Build(exchange, _context.Connection, RoleOf()));

    private ConnectionRole RoleOf() => _clientDirection switch
    {
        StreamDirection.Egress => ConnectionRole.Client,
        StreamDirection.Ingress => ConnectionRole.Server,
        _ => _context.Connection.Role,
    };

    private static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;
}
