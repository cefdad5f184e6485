using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// Decodes the arguments of a method frame's payload by the layouts of the AMQP 0-9-1 reference
/// (https://www.rabbitmq.com/amqp-0-9-1-reference). Tables are skipped, credentials are never decoded
/// while redaction is on.
/// </summary>
internal static class AmqpMethodDecoder
{
    /// <summary>Decodes a method payload; <see langword="null"/> when it is too short for its ids or they name no known method.</summary>
    public static AmqpMethod? Decode(ReadOnlySpan<byte> payload, AmqpParserOptions options)
    {
        var reader = new AmqpWireReader(payload);
        ushort classId = reader.Short();
        ushort methodId = reader.Short();
        if (!reader.Ok || !AmqpMethods.IsKnown(classId, methodId))
        {
            return null;
        }

        var method = new AmqpMethod { ClassId = classId, MethodId = methodId };
        switch (classId)
        {
            case AmqpMethods.Connection:
                Connection(ref reader, method, options);
                break;
            case AmqpMethods.Channel:
                Channel(ref reader, method);
                break;
            case AmqpMethods.Exchange:
                Exchange(ref reader, method);
                break;
            case AmqpMethods.Queue:
                Queue(ref reader, method);
                break;
            case AmqpMethods.Basic:
                Basic(ref reader, method);
                break;
            case AmqpMethods.Confirm when methodId == AmqpMethods.ConfirmSelect:
                method.NoWait = reader.Bit();
                break;
        }

        method.Truncated = !reader.Ok;
        return method;
    }

    private static void Connection(ref AmqpWireReader reader, AmqpMethod method, AmqpParserOptions options)
    {
        switch (method.MethodId)
        {
            case 10: // start: version-major, version-minor, server-properties, mechanisms, locales
                reader.Octet();
                reader.Octet();
                reader.SkipLongString();
                method.Mechanism = Text(reader.LongStringBytes());
                break;
            case 11: // start-ok: client-properties, mechanism, response, locale
                reader.SkipLongString();
                method.Mechanism = reader.ShortString();
                method.Secret = Secret(reader.LongStringBytes(), options);
                break;
            case 20 or 21: // secure challenge, secure-ok response
                method.Secret = Secret(reader.LongStringBytes(), options);
                break;
            case 30 or 31: // tune, tune-ok: channel-max, frame-max, heartbeat
                reader.Short();
                method.FrameMax = reader.Long();
                method.Heartbeat = reader.Short();
                break;
            case 40: // open: virtual-host
                method.VirtualHost = reader.ShortString();
                break;
            case 50: // close
                Close(ref reader, method);
                break;
            case 60: // blocked: reason
                method.Reason = reader.ShortString();
                break;
            case 70: // update-secret: new-secret, reason
                method.Secret = Secret(reader.LongStringBytes(), options);
                method.Reason = reader.ShortString();
                break;
        }
    }

    private static void Channel(ref AmqpWireReader reader, AmqpMethod method)
    {
        switch (method.MethodId)
        {
            case 20 or 21: // flow, flow-ok: active
                method.Active = reader.Bit();
                break;
            case 40:
                Close(ref reader, method);
                break;
        }
    }

    private static void Exchange(ref AmqpWireReader reader, AmqpMethod method)
    {
        switch (method.MethodId)
        {
            case 10: // declare: reserved, exchange, type, passive durable auto-delete internal no-wait, arguments
                reader.Short();
                method.Exchange = reader.ShortString();
                method.ExchangeType = reader.ShortString();
                reader.Bit();
                reader.Bit();
                reader.Bit();
                reader.Bit();
                method.NoWait = reader.Bit();
                break;
            case 20: // delete: reserved, exchange, if-unused no-wait
                reader.Short();
                method.Exchange = reader.ShortString();
                reader.Bit();
                method.NoWait = reader.Bit();
                break;
            case 30 or 40: // bind, unbind: reserved, destination, source, routing-key, no-wait, arguments
                reader.Short();
                method.Exchange = reader.ShortString();
                method.Source = reader.ShortString();
                method.RoutingKey = reader.ShortString();
                method.NoWait = reader.Bit();
                break;
        }
    }

    private static void Queue(ref AmqpWireReader reader, AmqpMethod method)
    {
        switch (method.MethodId)
        {
            case 10: // declare: reserved, queue, passive durable exclusive auto-delete no-wait, arguments
                reader.Short();
                method.Queue = reader.ShortString();
                reader.Bit();
                reader.Bit();
                reader.Bit();
                reader.Bit();
                method.NoWait = reader.Bit();
                break;
            case 11: // declare-ok: queue, message-count, consumer-count
                method.Queue = reader.ShortString();
                method.MessageCount = reader.Long();
                method.ConsumerCount = reader.Long();
                break;
            case 20: // bind: reserved, queue, exchange, routing-key, no-wait, arguments
                reader.Short();
                method.Queue = reader.ShortString();
                method.Exchange = reader.ShortString();
                method.RoutingKey = reader.ShortString();
                method.NoWait = reader.Bit();
                break;
            case 30: // purge: reserved, queue, no-wait
                reader.Short();
                method.Queue = reader.ShortString();
                method.NoWait = reader.Bit();
                break;
            case 31 or 41: // purge-ok, delete-ok: message-count
                method.MessageCount = reader.Long();
                break;
            case 40: // delete: reserved, queue, if-unused if-empty no-wait
                reader.Short();
                method.Queue = reader.ShortString();
                reader.Bit();
                reader.Bit();
                method.NoWait = reader.Bit();
                break;
            case 50: // unbind: reserved, queue, exchange, routing-key, arguments
                reader.Short();
                method.Queue = reader.ShortString();
                method.Exchange = reader.ShortString();
                method.RoutingKey = reader.ShortString();
                break;
        }
    }

    private static void Basic(ref AmqpWireReader reader, AmqpMethod method)
    {
        switch (method.MethodId)
        {
            case 10: // qos: prefetch-size, prefetch-count, global
                reader.Long();
                method.PrefetchCount = reader.Short();
                break;
            case 20: // consume: reserved, queue, consumer-tag, no-local no-ack exclusive no-wait, arguments
                reader.Short();
                method.Queue = reader.ShortString();
                method.ConsumerTag = reader.ShortString();
                reader.Bit();
                reader.Bit();
                reader.Bit();
                method.NoWait = reader.Bit();
                break;
            case 21 or 31: // consume-ok, cancel-ok: consumer-tag
                method.ConsumerTag = reader.ShortString();
                break;
            case 30: // cancel: consumer-tag, no-wait
                method.ConsumerTag = reader.ShortString();
                method.NoWait = reader.Bit();
                break;
            case 40: // publish: reserved, exchange, routing-key, mandatory immediate
                reader.Short();
                method.Exchange = reader.ShortString();
                method.RoutingKey = reader.ShortString();
                break;
            case 50: // return: reply-code, reply-text, exchange, routing-key
                method.ReplyCode = reader.Short();
                method.ReplyText = reader.ShortString();
                method.Exchange = reader.ShortString();
                method.RoutingKey = reader.ShortString();
                break;
            case 60: // deliver: consumer-tag, delivery-tag, redelivered, exchange, routing-key
                method.ConsumerTag = reader.ShortString();
                method.DeliveryTag = reader.LongLong();
                method.Redelivered = reader.Bit();
                method.Exchange = reader.ShortString();
                method.RoutingKey = reader.ShortString();
                break;
            case 70: // get: reserved, queue, no-ack
                reader.Short();
                method.Queue = reader.ShortString();
                break;
            case 71: // get-ok: delivery-tag, redelivered, exchange, routing-key, message-count
                method.DeliveryTag = reader.LongLong();
                method.Redelivered = reader.Bit();
                method.Exchange = reader.ShortString();
                method.RoutingKey = reader.ShortString();
                method.MessageCount = reader.Long();
                break;
            case 80 or 120: // ack, nack: delivery-tag, multiple (nack: requeue)
                method.DeliveryTag = reader.LongLong();
                method.Multiple = reader.Bit();
                break;
            case 90: // reject: delivery-tag, requeue
                method.DeliveryTag = reader.LongLong();
                break;
        }
    }

    private static void Close(ref AmqpWireReader reader, AmqpMethod method)
    {
        // reply-code, reply-text, class-id, method-id (the method that caused the close, 0 when none)
        method.ReplyCode = reader.Short();
        method.ReplyText = reader.ShortString();
        ushort failedClass = reader.Short();
        ushort failedMethod = reader.Short();
        if (reader.Ok && failedClass != 0)
        {
            method.FailedMethod = AmqpMethods.ClassName(failedClass) is { } className && AmqpMethods.MethodName(failedClass, failedMethod) is { } methodName
                ? className + "." + methodName
                : $"{failedClass}.{failedMethod}";
        }
    }

    private static string? Secret(ReadOnlySpan<byte> bytes, AmqpParserOptions options) =>
        options.RedactSecrets ? AmqpParserOptions.RedactedValue : RespText.Escape(bytes);

    private static string Text(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes);
}
