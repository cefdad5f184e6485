using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Nats;

/// <summary>
/// Pairs what needs an answer with the answer, in order: a <c>PING</c> from either side with the other
/// side's next <c>PONG</c>; in verbose mode (asked for in <c>CONNECT</c>) every client operation with the
/// server's next <c>+OK</c> or <c>-ERR</c>. Everything else is a record at once.
/// </summary>
internal sealed class NatsExchangeMatcher
{
    private readonly IParseContext _context;
    private readonly NatsParserOptions _options;
    private readonly Queue<Pending> _awaitingAck = new();
    private readonly Queue<Pending>[] _pings = [new(), new()];
    private readonly Dictionary<string, string> _subjectsBySid = new(StringComparer.Ordinal);

    public NatsExchangeMatcher(IParseContext context, NatsParserOptions options)
    {
        _context = context;
        _options = options;
    }

    /// <summary>Whether the client asked for <c>+OK</c> after each operation.</summary>
    public bool Verbose { get; private set; }

    public int PendingCount => _awaitingAck.Count + _pings[0].Count + _pings[1].Count;

    public int SubscriptionCount => _subjectsBySid.Count;

    /// <summary>Takes one frame read from <paramref name="direction"/>.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="direction">The stream it was read from.</param>
    /// <param name="fromClient">Whether the frame came from the client side of the NATS connection (null: not known yet).</param>
    /// <param name="role">The traced process's side of the NATS connection.</param>
    public void Add(NatsFrame frame, StreamDirection direction, bool? fromClient, ConnectionRole role)
    {
        var time = _context.TimeAt(direction, frame.Position);
        switch (frame.Operation)
        {
            case NatsOperation.Ping:
                Enqueue(_pings[(int)direction], new Pending(frame, time, role));
                return;
            case NatsOperation.Pong:
                if (_pings[(int)Other(direction)].TryDequeue(out var ping))
                {
                    Emit(ping, frame, time, dataLost: false);
                }

                return;
            case NatsOperation.Ok:
                if (_awaitingAck.TryDequeue(out var acknowledged))
                {
                    Emit(acknowledged, frame, time, dataLost: false);
                }

                return;
            case NatsOperation.Err:
                if (_awaitingAck.TryDequeue(out var refused))
                {
                    Emit(refused, frame, time, dataLost: false);
                }
                else
                {
                    Emit(new Pending(frame, time, role), answer: null, answerTime: null, dataLost: false);
                }

                return;
            case NatsOperation.Connect:
                Verbose = frame.Json?.Verbose == true;
                break;
            case NatsOperation.Sub when frame.Sid is not null && frame.Subject is not null && _subjectsBySid.Count < _options.MaxSubscriptions:
                _subjectsBySid[frame.Sid] = frame.Subject;
                break;
        }

        var pending = new Pending(frame, time, role);
        if (Verbose && fromClient == true)
        {
            Enqueue(_awaitingAck, pending);
        }
        else
        {
            Emit(pending, answer: null, answerTime: null, dataLost: false);
        }
    }

    /// <summary>A stream lost its place: what waits for an answer may never get the right one.</summary>
    public void OnLost() => Flush(dataLost: true);

    /// <summary>The connection ended: what waits is emitted without its answer.</summary>
    public void Complete() => Flush(dataLost: false);

    private void Flush(bool dataLost)
    {
        var all = new List<Pending>(PendingCount);
        all.AddRange(_awaitingAck);
        all.AddRange(_pings[0]);
        all.AddRange(_pings[1]);
        _awaitingAck.Clear();
        _pings[0].Clear();
        _pings[1].Clear();
        all.Sort(static (a, b) => a.Time.CompareTo(b.Time));
        foreach (var pending in all)
        {
            Emit(pending, answer: null, answerTime: null, dataLost);
        }
    }

    private void Enqueue(Queue<Pending> queue, Pending pending)
    {
        if (queue.Count >= _options.MaxPendingOperations)
        {
            Emit(queue.Dequeue(), answer: null, answerTime: null, dataLost: true);
        }

        queue.Enqueue(pending);
    }

    private void Emit(Pending pending, NatsFrame? answer, DateTimeOffset? answerTime, bool dataLost)
    {
        string? subscribed = null;
        if (pending.Frame.Operation == NatsOperation.Unsub && pending.Frame.Sid is { } sid && _subjectsBySid.Remove(sid, out var subject))
        {
            subscribed = subject;
        }

        _context.Emit(NatsRecordBuilder.Build(pending.Frame, _context.Connection, pending.Role, pending.Time, answer, answerTime, subscribed, dataLost));
    }

    private static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;

    private readonly record struct Pending(NatsFrame Frame, DateTimeOffset Time, ConnectionRole Role);
}
