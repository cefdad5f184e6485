using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>Turns a method (with its reply, content or confirm, when it has them) into an <see cref="AmqpRecord"/>.</summary>
internal static class AmqpRecordBuilder
{
    public static AmqpRecord Build(AmqpPending pending, ConnectionInfo connection, bool dataLost)
    {
        var method = pending.Method;
        var reply = pending.Reply;
        var header = pending.Header;

        // Replies fill what the request left open: a server-named queue, a server-chosen consumer tag,
        // what get-ok delivered, the code of the close that failed the request.
        return new AmqpRecord
        {
            Connection = connection,
            Role = pending.Role,
            RequestTime = pending.Time,
            ResponseTime = reply is null ? null : pending.ReplyTime,
            DataLost = dataLost || method.Truncated,
            Channel = pending.Channel,
            ClassId = method.ClassId,
            MethodId = method.MethodId,
            Method = Name(method.ClassId, method.MethodId),
            Reply = reply is null ? null : Name(reply.ClassId, reply.MethodId),
            Exchange = method.Exchange ?? reply?.Exchange,
            ExchangeType = method.ExchangeType,
            SourceExchange = method.Source,
            RoutingKey = method.RoutingKey ?? reply?.RoutingKey,
            Queue = reply?.Queue is { Length: > 0 } replied ? replied : method.Queue,
            ConsumerTag = reply?.ConsumerTag is { Length: > 0 } tag ? tag : method.ConsumerTag,
            DeliveryTag = method.DeliveryTag ?? (AmqpMethods.IsReply(reply?.ClassId ?? 0, reply?.MethodId ?? 0) ? reply?.DeliveryTag : null),
            Redelivered = method.Redelivered ?? reply?.Redelivered,
            Multiple = method.Multiple,
            MessageCount = method.MessageCount ?? reply?.MessageCount,
            ConsumerCount = method.ConsumerCount ?? reply?.ConsumerCount,
            ReplyCode = method.ReplyCode ?? reply?.ReplyCode,
            ReplyText = method.ReplyText ?? reply?.ReplyText,
            FailedMethod = method.FailedMethod ?? reply?.FailedMethod,
            VirtualHost = method.VirtualHost,
            Mechanism = reply?.Mechanism ?? method.Mechanism,
            Secret = reply?.Secret ?? method.Secret,
            PrefetchCount = method.PrefetchCount,
            Heartbeat = reply?.Heartbeat ?? method.Heartbeat,
            FrameMax = reply?.FrameMax ?? method.FrameMax,
            Reason = method.Reason,
            PublishSequence = pending.PublishSequence,
            BodySize = header is null ? null : (long)Math.Min(header.BodySize, long.MaxValue),
            ContentType = header?.ContentType,
            ContentEncoding = header?.ContentEncoding,
            DeliveryMode = header?.DeliveryMode,
            Priority = header?.Priority,
            CorrelationId = header?.CorrelationId,
            ReplyTo = header?.ReplyTo,
            Expiration = header?.Expiration,
            MessageId = header?.MessageId,
            Timestamp = header?.Timestamp is { } seconds && seconds <= 253402300799 ? DateTimeOffset.FromUnixTimeSeconds((long)seconds) : null,
            MessageType = header?.Type,
            UserId = header?.UserId,
            AppId = header?.AppId,
            Body = Body(pending),
        };
    }

    /// <summary>Every known method's <c>class.method</c> name, built once so records share the strings.</summary>
    private static readonly Dictionary<int, string> Names = BuildNames();

    /// <summary>The method's <c>class.method</c> name.</summary>
    public static string Name(ushort classId, ushort methodId) =>
        Names.TryGetValue((classId << 16) | methodId, out var name) ? name : $"{classId}.{methodId}";

    private static Dictionary<int, string> BuildNames()
    {
        var names = new Dictionary<int, string>();
        foreach (ushort classId in (ReadOnlySpan<ushort>)[AmqpMethods.Connection, AmqpMethods.Channel, AmqpMethods.Exchange, AmqpMethods.Queue, AmqpMethods.Basic, AmqpMethods.Confirm, AmqpMethods.Tx])
        {
            for (ushort methodId = 0; methodId < 128; methodId++)
            {
                if (AmqpMethods.MethodName(classId, methodId) is { } method)
                {
                    names[(classId << 16) | methodId] = AmqpMethods.ClassName(classId) + "." + method;
                }
            }
        }

        return names;
    }

    private static string? Body(AmqpPending pending)
    {
        if (pending.Header is not { } header)
        {
            return null;
        }

        // A gap keeps what came before it; with nothing kept of a non-empty body there is no preview.
        if (pending.BodyKeptLength > 0)
        {
            return RespText.Escape(pending.BodyKept.AsSpan(0, pending.BodyKeptLength));
        }

        return header.BodySize == 0 ? string.Empty : null;
    }
}
