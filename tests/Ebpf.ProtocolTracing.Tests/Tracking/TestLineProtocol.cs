using System.Buffers;
using System.Text;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

/// <summary>
/// A tiny protocol for the tracker's tests. Lines end with '\n':
/// <c>REQ x</c> is a request, <c>RES x</c> answers the oldest open request, <c>DATA n</c> is followed by
/// n raw body bytes (consumed as they arrive, so a gap inside them is absorbed), <c>STOP</c> leaves the protocol.
/// Anything else is invalid.
/// </summary>
internal sealed class TestLineProtocol : IProtocolParser
{
    public const string ProtocolName = "testline";

    public string Name => ProtocolName;

    public WellKnownProtocol KernelProtocol => WellKnownProtocol.None;

    /// <summary>Every connection parser created, in order.</summary>
    public List<TestLineConnectionParser> Created { get; } = [];

    /// <summary>Throw from Parse once this many Parse calls happened on a connection (-1: never).</summary>
    public int ThrowAfterParseCalls { get; set; } = -1;

    /// <summary>Never consume anything (to prove memory caps hold).</summary>
    public bool NeverConsume { get; set; }

    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction)
        => data.StartsWith("REQ "u8) || data.StartsWith("RES "u8) || data.StartsWith("DATA "u8) ? 90 : 0;

    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        var parser = new TestLineConnectionParser(this, context);
        Created.Add(parser);
        return parser;
    }
}

/// <summary>A finished exchange of the test protocol.</summary>
internal sealed record TestLineRecord : ProtocolRecord
{
    public override string Protocol => TestLineProtocol.ProtocolName;

    public required string Request { get; init; }

    public string? Response { get; init; }
}

internal sealed class TestLineConnectionParser : IConnectionParser
{
    private readonly TestLineProtocol _protocol;
    private readonly IParseContext _context;
    private readonly Queue<(string Text, DateTimeOffset Time, bool Lost)> _open = new();
    private readonly long[] _bodyRemaining = new long[2];
    private readonly bool[] _bodyLost = new bool[2];
    private readonly DateTimeOffset[] _bodyTime = new DateTimeOffset[2];
    private bool _lostSinceLastRecord;
    private int _parseCalls;

    public TestLineConnectionParser(TestLineProtocol protocol, IParseContext context)
    {
        _protocol = protocol;
        _context = context;
    }

    public IParseContext Context => _context;

    /// <summary>Every OnGap call: direction, length, and whether it was absorbed.</summary>
    public List<(StreamDirection Direction, long Length, bool Absorbed)> Gaps { get; } = [];

    public int CompleteCalls { get; private set; }

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        if (_protocol.ThrowAfterParseCalls >= 0 && _parseCalls++ >= _protocol.ThrowAfterParseCalls)
        {
            throw new InvalidOperationException("test parser failure");
        }

        if (_protocol.NeverConsume)
        {
            consumed = data.Start;
            return ParseStatus.Continue;
        }

        var reader = new SequenceReader<byte>(data);
        while (true)
        {
            var slot = (int)direction;
            if (_bodyRemaining[slot] > 0)
            {
                var take = Math.Min(_bodyRemaining[slot], reader.Remaining);
                reader.Advance(take);
                _bodyRemaining[slot] -= take;
                if (_bodyRemaining[slot] > 0)
                {
                    consumed = reader.Position;
                    return ParseStatus.Continue;
                }

                Emit("DATA", _bodyTime[slot], null, null, _bodyLost[slot]);
                continue;
            }

            var lineStart = reader.Position;
            var lineOffset = reader.Consumed;
            if (!reader.TryReadTo(out ReadOnlySequence<byte> lineBytes, (byte)'\n'))
            {
                consumed = lineStart;
                return ParseStatus.Continue;
            }

            var line = Encoding.ASCII.GetString(lineBytes);
            var time = _context.TimeAt(direction, streamPosition + lineOffset);
            if (line.StartsWith("REQ ", StringComparison.Ordinal))
            {
                _open.Enqueue((line[4..], time, _lostSinceLastRecord));
                _lostSinceLastRecord = false;
            }
            else if (line.StartsWith("RES ", StringComparison.Ordinal))
            {
                if (_open.TryDequeue(out var request))
                {
                    Emit(request.Text, request.Time, line[4..], time, request.Lost || _lostSinceLastRecord);
                    _lostSinceLastRecord = false;
                }
            }
            else if (line.StartsWith("DATA ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(5), out var length) && length >= 0)
            {
                _bodyRemaining[slot] = length;
                _bodyLost[slot] = false;
                _bodyTime[slot] = time;
                if (length == 0)
                {
                    Emit("DATA", time, null, null, false);
                }
            }
            else if (line == "STOP")
            {
                consumed = reader.Position;
                return ParseStatus.Stop;
            }
            else
            {
                consumed = lineStart;
                return ParseStatus.Invalid;
            }
        }
    }

    public bool OnGap(StreamDirection direction, long length)
    {
        var slot = (int)direction;
        var absorbed = _bodyRemaining[slot] >= length;
        if (absorbed)
        {
            _bodyRemaining[slot] -= length;
            _bodyLost[slot] = true;
        }
        else
        {
            _bodyRemaining[slot] = 0;
            _lostSinceLastRecord = true;
        }

        Gaps.Add((direction, length, absorbed));
        return absorbed;
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        var reader = new SequenceReader<byte>(data);
        if (reader.IsNext("REQ "u8) || reader.IsNext("RES "u8) || reader.IsNext("DATA "u8))
        {
            frameStart = data.Start;
            return true;
        }

        // A line starts after the next newline.
        if (reader.TryAdvanceTo((byte)'\n'))
        {
            frameStart = reader.Position;
            return true;
        }

        frameStart = data.Start;
        return false;
    }

    public void Complete()
    {
        CompleteCalls++;
        while (_open.TryDequeue(out var request))
        {
            Emit(request.Text, request.Time, null, null, request.Lost);
        }
    }

    private void Emit(string request, DateTimeOffset requestTime, string? response, DateTimeOffset? responseTime, bool lost)
        => _context.Emit(new TestLineRecord
        {
            Connection = _context.Connection,
            Role = _context.Connection.Role,
            RequestTime = requestTime,
            ResponseTime = responseTime,
            Request = request,
            Response = response,
            DataLost = lost,
        });
}
