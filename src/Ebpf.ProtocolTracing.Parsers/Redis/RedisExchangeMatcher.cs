using System.Globalization;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>
/// Pairs replies with commands in order (RESP has no ids; pipelining and MULTI/EXEC keep the order),
/// tells pub/sub messages and RESP3 pushes from replies, and keeps the pairing honest after a loss.
/// </summary>
/// <remarks>
/// A pushed message is a record of its own: any RESP3 push (<c>&gt;</c>) other than a subscription
/// confirmation, and a RESP2 array <c>message</c>/<c>pmessage</c>/<c>smessage</c> on a subscribed
/// connection (or when no command waits). After a loss in the command stream, commands already waiting
/// keep their place; after them, a reply that began before the next known command was sent cannot
/// answer it and is emitted alone. After a loss in the reply stream, the next reply goes to the newest
/// command sent before it began; older waiting commands are emitted without a reply, all marked
/// <see cref="ProtocolRecord.DataLost"/>.
/// </remarks>
internal sealed class RedisExchangeMatcher(IParseContext context, int maxPending)
{
    private readonly Queue<PendingCommand> _pending = new();
    private RedisReplyRules _rules;
    private bool _subscribed;
    private bool _commandsLost;
    private int _commandsBeforeLoss;
    private bool _repliesLost;
    private int _evictedAwaitingReply;

    /// <summary>The stream that carries commands.</summary>
    public StreamDirection CommandDirection { get; set; } = StreamDirection.Egress;

    public int PendingCount => _pending.Count;

    public void AddCommand(RedisCommandInfo command, RespValue value)
    {
        var pending = new PendingCommand(command, value, context.TimeAt(CommandDirection, value.Start), _rules.ExpectedReplies(command));
        if (_pending.Count >= maxPending)
        {
            var oldest = _pending.Dequeue();
            if (oldest.ExpectedReplies != 0)
            {
                _evictedAwaitingReply++;
            }

            oldest.Lost = true;
            Emit(oldest);
            _commandsBeforeLoss = Math.Max(0, _commandsBeforeLoss - 1);
        }

        _pending.Enqueue(pending);
        FlushWithoutReplies();
    }

    public void AddReply(RespValue reply, StreamDirection replyDirection)
    {
        var time = context.TimeAt(replyDirection, reply.Start);
        string? kind = PubSubKind(reply);
        if (_pending.TryPeek(out var head) && head.ExpectedReplies == RedisReplyRules.UntilNoSubscriptions && head.Replies > 0
            && !string.Equals(head.Command.Name, kind, StringComparison.Ordinal))
        {
            // An unsubscribe from all channels gets one confirmation per channel, however many there were:
            // the first other reply shows that they are over (other subscription kinds may remain).
            Emit(_pending.Dequeue());
            FlushWithoutReplies();
        }

        if (kind is not null)
        {
            if (_pending.TryPeek(out head) && head.Command.IsSubscription && string.Equals(head.Command.Name, kind, StringComparison.Ordinal))
            {
                Confirm(head, reply, time);
                return;
            }

            bool message = kind is "MESSAGE" or "PMESSAGE" or "SMESSAGE";
            if (reply.Type == RespType.Push || (message && (_subscribed || _pending.Count == 0)))
            {
                EmitPush(kind, reply, time);
                return;
            }
        }

        var command = TakeCommandFor(time);
        if (command is null)
        {
            context.Emit(new RedisRecord
            {
                Connection = context.Connection,
                Role = Role,
                RequestTime = time,
                ResponseTime = time,
                DataLost = true,
                Reply = reply.Value.Render(),
                IsErrorReply = RespTypes.IsError(reply.Type),
                ReplyCount = 1,
                ReplySize = reply.End - reply.Start,
            });
        }
        else
        {
            command.AddReply(reply, time);
            Emit(command);
        }

        FlushWithoutReplies();
    }

    /// <summary>Bytes of the command stream were lost: some commands may be missing.</summary>
    public void OnCommandsLost()
    {
        if (!_commandsLost)
        {
            _commandsBeforeLoss = _pending.Count;
        }

        _commandsLost = true;
    }

    /// <summary>Bytes of the reply stream were lost: some replies may be missing.</summary>
    public void OnRepliesLost() => _repliesLost = true;

    /// <summary>The connection ended: every waiting command is emitted without its reply.</summary>
    public void Complete()
    {
        while (_pending.TryDequeue(out var command))
        {
            Emit(command);
        }

        _commandsBeforeLoss = 0;
        _evictedAwaitingReply = 0;
    }

    private ConnectionRole Role => CommandDirection == StreamDirection.Egress ? ConnectionRole.Client : ConnectionRole.Server;

    private void Confirm(PendingCommand command, RespValue reply, DateTimeOffset time)
    {
        command.AddReply(reply, time);
        long remaining = reply.Elements.Count > 2 && reply.Elements[2].Type == RespType.Integer
            && long.TryParse(reply.Elements[2].Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long count)
            ? count : -1;
        if (remaining >= 0)
        {
            _subscribed = remaining > 0;
        }

        bool done = command.ExpectedReplies == RedisReplyRules.UntilNoSubscriptions
            ? remaining <= 0
            : command.Replies >= command.ExpectedReplies;
        if (done)
        {
            _pending.Dequeue();
            Emit(command);
            FlushWithoutReplies();
        }
    }

    private void EmitPush(string kind, RespValue push, DateTimeOffset time)
    {
        var elements = push.Elements;
        int last = (int)Math.Min(push.Value.Size, elements.Count) - 1;
        var arguments = new string[Math.Max(0, last - 1)];
        for (int i = 1; i < last; i++)
        {
            arguments[i - 1] = elements[i].AsArgument();
        }

        context.Emit(new RedisRecord
        {
            Connection = context.Connection,
            Role = Role,
            RequestTime = time,
            DataLost = push.Lossy,
            IsPush = true,
            Command = kind,
            Arguments = arguments,
            ArgumentCount = Math.Max(0, push.Value.Size - 2),
            Key = arguments.Length > 0 ? arguments[^1] : null,
            Reply = last >= 1 ? elements[last].Render() : push.Value.Render(),
            ReplyCount = 1,
            ReplySize = push.End - push.Start,
        });
    }

    private PendingCommand? TakeCommandFor(DateTimeOffset replyTime)
    {
        if (_evictedAwaitingReply > 0)
        {
            _evictedAwaitingReply--;
            return null;
        }

        if (_repliesLost)
        {
            _repliesLost = false;
            return TakeAfterReplyLoss(replyTime);
        }

        if (_pending.Count == 0)
        {
            return null;
        }

        if (_commandsBeforeLoss > 0)
        {
            _commandsBeforeLoss--;
            return _pending.Dequeue();
        }

        if (_commandsLost)
        {
            if (_pending.Peek().Time > replyTime)
            {
                return null;
            }

            _commandsLost = false;
        }

        return _pending.Dequeue();
    }

    private PendingCommand? TakeAfterReplyLoss(DateTimeOffset replyTime)
    {
        int sentBefore = 0;
        foreach (var command in _pending)
        {
            if (command.Time > replyTime)
            {
                break;
            }

            sentBefore++;
        }

        if (sentBefore == 0)
        {
            return null;
        }

        for (int i = 0; i < sentBefore - 1; i++)
        {
            var dropped = _pending.Dequeue();
            dropped.Lost = true;
            Emit(dropped);
        }

        _commandsBeforeLoss = Math.Max(0, _commandsBeforeLoss - sentBefore);
        var guess = _pending.Dequeue();
        guess.Lost = true;
        return guess;
    }

    /// <summary>Commands that get no reply leave as soon as they reach the head of the queue.</summary>
    private void FlushWithoutReplies()
    {
        while (_pending.TryPeek(out var head) && head.ExpectedReplies == 0)
        {
            Emit(_pending.Dequeue());
        }
    }

    private void Emit(PendingCommand command)
    {
        var info = command.Command;
        context.Emit(new RedisRecord
        {
            Connection = context.Connection,
            Role = Role,
            RequestTime = command.Time,
            ResponseTime = command.ReplyTime,
            DataLost = command.Lost || command.Value.Lossy || command.ReplyLossy,
            Command = info.Command,
            Arguments = info.Arguments,
            ArgumentCount = info.ArgumentCount,
            Key = info.Key,
            Reply = command.ReplyText,
            IsErrorReply = command.IsError,
            ReplyCount = command.Replies,
            RequestSize = command.Value.End - command.Value.Start,
            ReplySize = command.ReplySize,
        });
    }

    /// <summary>The pub/sub kind of a reply shaped like one (upper-cased), else <see langword="null"/>.</summary>
    private static string? PubSubKind(RespValue reply)
    {
        if (reply.Type is not (RespType.Push or RespType.Array) || reply.Value.Size < 2)
        {
            return null;
        }

        var kind = reply.TextAt(0);
        if (kind is null || kind.Length > 32)
        {
            return null;
        }

        kind = kind.ToUpperInvariant();
        return reply.Type == RespType.Push || kind is "MESSAGE" or "PMESSAGE" or "SMESSAGE" or "SUBSCRIBE" or "PSUBSCRIBE"
            or "SSUBSCRIBE" or "UNSUBSCRIBE" or "PUNSUBSCRIBE" or "SUNSUBSCRIBE"
            ? kind
            : null;
    }

    private sealed class PendingCommand(RedisCommandInfo command, RespValue value, DateTimeOffset time, int expectedReplies)
    {
        public RedisCommandInfo Command { get; } = command;

        public RespValue Value { get; } = value;

        public DateTimeOffset Time { get; } = time;

        public int ExpectedReplies { get; } = expectedReplies;

        public bool Lost { get; set; }

        public int Replies { get; private set; }

        public DateTimeOffset? ReplyTime { get; private set; }

        public string? ReplyText { get; private set; }

        public bool IsError { get; private set; }

        public bool ReplyLossy { get; private set; }

        public long ReplySize { get; private set; }

        public void AddReply(RespValue reply, DateTimeOffset time)
        {
            Replies++;
            ReplyTime ??= time;
            ReplySize += reply.End - reply.Start;
            ReplyLossy |= reply.Lossy;
            IsError = RespTypes.IsError(reply.Type);

            // A subscription confirmation says how many subscriptions the connection has now.
            ReplyText = Command.IsSubscription && reply.Elements.Count > 2 && reply.Type is RespType.Array or RespType.Push
                ? reply.Elements[2].Render()
                : reply.Value.Render();
        }
    }
}
