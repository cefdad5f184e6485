using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// Turns the frames of both directions into records, per channel: a synchronous request with the
/// other side's reply (spec 2.3.5.2 — replies come in order on a channel), a content-carrying method
/// (publish, deliver, return, get-ok) with its content header and body, a publish in confirm mode with
/// the server's <c>basic.ack</c>/<c>basic.nack</c>, and a close with what it failed. Everything else is a
/// record at once.
/// </summary>
internal sealed class AmqpExchangeMatcher
{
    private readonly IParseContext _context;
    private readonly AmqpParserOptions _options;
    private readonly Dictionary<ushort, AmqpChannelState> _channels = [];
    private int _pendingCount;

    public AmqpExchangeMatcher(IParseContext context, AmqpParserOptions options)
    {
        _context = context;
        _options = options;
    }

    /// <summary>Methods waiting for a reply, content or confirm (for tests that check the bound).</summary>
    public int PendingCount => _pendingCount;

    /// <summary>Channels tracked (for tests that check the bound).</summary>
    public int ChannelCount => _channels.Count;

    /// <summary>Adds one frame read from <paramref name="direction"/>; <paramref name="fromServer"/> is whether the server sent it, when known.</summary>
    public void Add(AmqpFrame frame, StreamDirection direction, bool? fromServer, ConnectionRole role)
    {
        switch (frame.Type)
        {
            case AmqpFrameType.Method:
                AddMethod(frame, frame.Method!, direction, fromServer, role);
                break;
            case AmqpFrameType.Header:
                AddHeader(frame, direction);
                break;
            case AmqpFrameType.Body:
                AddBody(frame, direction);
                break;
        }
    }

    /// <summary>A stream lost its place: what waits may never get its reply or content.</summary>
    public void OnLost() => FlushAll(dataLost: true);

    /// <summary>The connection ended: what waits is emitted as it is.</summary>
    public void Complete() => FlushAll(dataLost: false);

    private void AddMethod(AmqpFrame frame, AmqpMethod method, StreamDirection direction, bool? fromServer, ConnectionRole role)
    {
        var time = _context.TimeAt(direction, frame.Position);
        var channel = Channel(frame.Channel);
        int d = (int)direction;

        // A method ends any content of this direction and channel (its frames must come together, spec 4.2.6).
        if (channel.Content[d] is { } unfinished)
        {
            channel.Content[d] = null;
            _pendingCount--;
            Finish(unfinished, dataLost: true);
        }

        var pending = new AmqpPending(method, frame.Channel, direction, time, role);
        ushort classId = method.ClassId;
        ushort methodId = method.MethodId;
        if (AmqpMethods.IsReply(classId, methodId))
        {
            AddReply(channel, pending);
            return;
        }

        if (AmqpMethods.CarriesContent(classId, methodId))
        {
            OpenContent(channel, pending);
            return;
        }

        if (classId == AmqpMethods.Confirm && methodId == AmqpMethods.ConfirmSelect)
        {
            channel.ConfirmMode = true;
            channel.PublishCount = 0;
        }

        if (AmqpMethods.IsClose(classId, methodId))
        {
            FailWaiting(pending);
        }

        if (AmqpMethods.IsRequest(classId, methodId) && !method.NoWait)
        {
            Hold(channel, channel.Waiting, pending);
            return;
        }

        if (classId == AmqpMethods.Basic && methodId is AmqpMethods.BasicAck or AmqpMethods.BasicNack
            && fromServer != false && channel.ConfirmMode && Confirm(channel, pending))
        {
            return;
        }

        Finish(pending, dataLost: false);
    }

    private void AddReply(AmqpChannelState channel, AmqpPending reply)
    {
        var method = reply.Method;
        AmqpPending? request = null;
        for (int i = 0; i < channel.Waiting.Count; i++)
        {
            var candidate = channel.Waiting[i];
            if (candidate.Direction != reply.Direction && candidate.Method.ClassId == method.ClassId
                && AmqpMethods.Answers(method.ClassId, candidate.Method.MethodId, method.MethodId))
            {
                request = candidate;
                channel.Waiting.RemoveAt(i);
                _pendingCount--;
                break;
            }
        }

        // A reply whose request was not seen (tracing began after it) is a record of its own.
        var carrier = request ?? reply;
        if (request is not null)
        {
            request.Reply = method;
            request.ReplyTime = reply.Time;
        }

        if (method.ClassId == AmqpMethods.Basic && method.MethodId == AmqpMethods.BasicGetOk)
        {
            OpenContent(channel, carrier, reply.Direction);
            return;
        }

        Finish(carrier, dataLost: false);
        if (AmqpMethods.IsClose(method.ClassId, (ushort)(method.MethodId - 1)))
        {
            // close-ok: the channel (or on channel 0 the connection) starts again from nothing.
            if (carrier.Channel == 0 && method.ClassId == AmqpMethods.Connection)
            {
                FlushAll(dataLost: false);
            }
            else
            {
                Drop(carrier.Channel);
            }
        }
    }

    private void OpenContent(AmqpChannelState channel, AmqpPending carrier, StreamDirection? direction = null)
    {
        MakeRoom(null);
        channel.Content[(int)(direction ?? carrier.Direction)] = carrier;
        _pendingCount++;
    }

    private void AddHeader(AmqpFrame frame, StreamDirection direction)
    {
        if (!_channels.TryGetValue(frame.Channel, out var channel) || channel.Content[(int)direction] is not { } carrier || carrier.Header is not null)
        {
            return; // content of a method not seen (tracing began inside it, or after a loss)
        }

        carrier.Header = frame.Header;
        if (carrier.ContentComplete)
        {
            CompleteContent(channel, (int)direction, carrier);
        }
    }

    private void AddBody(AmqpFrame frame, StreamDirection direction)
    {
        if (!_channels.TryGetValue(frame.Channel, out var channel) || channel.Content[(int)direction] is not { Header: not null } carrier)
        {
            return;
        }

        if (!carrier.BodyGap && frame.BodyKept.Length > 0 && carrier.BodyKeptLength < _options.MaxBodyBytes)
        {
            carrier.BodyKept ??= new byte[(int)Math.Min(_options.MaxBodyBytes, (long)Math.Min(carrier.Header.BodySize, int.MaxValue))];
            int count = Math.Min(frame.BodyKept.Length, carrier.BodyKept.Length - carrier.BodyKeptLength);
            frame.BodyKept.Span[..count].CopyTo(carrier.BodyKept.AsSpan(carrier.BodyKeptLength));
            carrier.BodyKeptLength += count;
        }

        carrier.BodyGap |= frame.BodyGap;
        carrier.BodyReceived += (ulong)frame.PayloadSize;
        if (carrier.ContentComplete)
        {
            CompleteContent(channel, (int)direction, carrier);
        }
    }

    private void CompleteContent(AmqpChannelState channel, int direction, AmqpPending carrier)
    {
        channel.Content[direction] = null;
        _pendingCount--;
        if (carrier.Method is { ClassId: AmqpMethods.Basic, MethodId: AmqpMethods.BasicPublish } && channel.ConfirmMode)
        {
            carrier.PublishSequence = ++channel.PublishCount;
            Hold(channel, channel.Unconfirmed, carrier);
            return;
        }

        Finish(carrier, dataLost: false);
    }

    /// <summary>A server's ack or nack in confirm mode: the publishes it confirms get it as their reply.</summary>
    private bool Confirm(AmqpChannelState channel, AmqpPending confirm)
    {
        ulong tag = confirm.Method.DeliveryTag ?? 0;
        bool multiple = confirm.Method.Multiple;
        bool any = false;
        for (int i = 0; i < channel.Unconfirmed.Count;)
        {
            var publish = channel.Unconfirmed[i];
            ulong sequence = publish.PublishSequence ?? 0;
            if (sequence == tag || (multiple && (tag == 0 || sequence < tag)))
            {
                channel.Unconfirmed.RemoveAt(i);
                _pendingCount--;
                publish.Reply = confirm.Method;
                publish.ReplyTime = confirm.Time;
                Finish(publish, dataLost: false);
                any = true;
                continue;
            }

            i++;
        }

        return any;
    }

    /// <summary>A close fails what the other side waits for on that channel (on channel 0: on every channel).</summary>
    private void FailWaiting(AmqpPending close)
    {
        bool connection = close.Method.ClassId == AmqpMethods.Connection;
        foreach (var (number, channel) in _channels)
        {
            if (!connection && number != close.Channel)
            {
                continue;
            }

            for (int i = 0; i < channel.Waiting.Count;)
            {
                var request = channel.Waiting[i];
                if (request.Direction == close.Direction)
                {
                    i++;
                    continue;
                }

                channel.Waiting.RemoveAt(i);
                _pendingCount--;
                request.Reply = close.Method;
                request.ReplyTime = close.Time;
                Finish(request, dataLost: false);
            }
        }
    }

    private void Hold(AmqpChannelState channel, List<AmqpPending> list, AmqpPending pending)
    {
        MakeRoom(list);
        list.Add(pending);
        _pendingCount++;
    }

    /// <summary>Keeps the number of waiting methods within the limit: the oldest of <paramref name="preferred"/> (else of any channel) goes out as lost.</summary>
    private void MakeRoom(List<AmqpPending>? preferred)
    {
        while (_pendingCount >= _options.MaxPendingOperations)
        {
            var list = preferred is { Count: > 0 } ? preferred : null;
            if (list is null)
            {
                foreach (var channel in _channels.Values)
                {
                    list = channel.Waiting.Count > 0 ? channel.Waiting : channel.Unconfirmed.Count > 0 ? channel.Unconfirmed : null;
                    if (list is not null)
                    {
                        break;
                    }
                }
            }

            if (list is null)
            {
                return; // only content in progress remains; it is bounded by two per channel
            }

            var oldest = list[0];
            list.RemoveAt(0);
            _pendingCount--;
            Finish(oldest, dataLost: true);
        }
    }

    private AmqpChannelState Channel(ushort number)
    {
        if (_channels.TryGetValue(number, out var channel))
        {
            return channel;
        }

        if (_channels.Count >= _options.MaxChannels)
        {
            FlushAll(dataLost: true);
        }

        channel = new AmqpChannelState();
        _channels[number] = channel;
        return channel;
    }

    private void Drop(ushort number)
    {
        if (_channels.Remove(number, out var channel))
        {
            Flush(channel, dataLost: false);
        }
    }

    private void FlushAll(bool dataLost)
    {
        if (_channels.Count == 0)
        {
            return;
        }

        var all = new List<AmqpPending>(_pendingCount);
        foreach (var channel in _channels.Values)
        {
            Collect(channel, all);
        }

        _channels.Clear();
        _pendingCount = 0;
        all.Sort(static (a, b) => a.Time.CompareTo(b.Time));
        foreach (var pending in all)
        {
            Finish(pending, dataLost);
        }
    }

    private void Flush(AmqpChannelState channel, bool dataLost)
    {
        var all = new List<AmqpPending>(channel.PendingCount);
        Collect(channel, all);
        _pendingCount -= all.Count;
        all.Sort(static (a, b) => a.Time.CompareTo(b.Time));
        foreach (var pending in all)
        {
            Finish(pending, dataLost);
        }
    }

    private static void Collect(AmqpChannelState channel, List<AmqpPending> into)
    {
        into.AddRange(channel.Waiting);
        into.AddRange(channel.Unconfirmed);
        foreach (var content in channel.Content)
        {
            if (content is not null)
            {
                into.Add(content);
            }
        }

        channel.Waiting.Clear();
        channel.Unconfirmed.Clear();
        channel.Content[0] = null;
        channel.Content[1] = null;
    }

    private void Finish(AmqpPending pending, bool dataLost) =>
        _context.Emit(AmqpRecordBuilder.Build(pending, _context.Connection, dataLost));
}
