using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// One AMQP 0-9-1 method seen on a connection (https://www.rabbitmq.com/amqp-0-9-1-reference): a
/// synchronous request with its reply (<c>queue.declare</c> → <c>declare-ok</c>, <c>basic.get</c> →
/// <c>get-ok</c> or <c>get-empty</c>, a close → <c>close-ok</c>), a publish (with the server's
/// <c>basic.ack</c>/<c>basic.nack</c> when the channel is in confirm mode), a message the server pushed
/// (<c>basic.deliver</c>, <c>basic.return</c>), or a method that has no reply (<c>basic.ack</c> from a
/// consumer, <c>connection.blocked</c>).
/// </summary>
/// <remarks>
/// A request that made the peer close its channel or connection has that close as its
/// <see cref="Reply"/>, with its <see cref="ReplyCode"/> and <see cref="ReplyText"/>; the close is a record
/// of its own too. Messages (publish, deliver, return, get-ok) carry their content header's properties, the
/// body size and the first bytes of the body. <see cref="ProtocolRecord.Role"/> is the traced process's
/// side of the connection, whichever side sent the method. The SASL response of
/// <c>connection.start-ok</c> (a PLAIN response is the user name and password) is never decoded while
/// redaction is on.
/// </remarks>
public sealed record AmqpRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "amqp";

    /// <summary>The channel the method was sent on (0 for the connection class).</summary>
    public required ushort Channel { get; init; }

    /// <summary>The method's class id (10 connection, 20 channel, 40 exchange, 50 queue, 60 basic, 85 confirm, 90 tx).</summary>
    public required ushort ClassId { get; init; }

    /// <summary>The method id within its class.</summary>
    public required ushort MethodId { get; init; }

    /// <summary>The method as <c>class.method</c>, e.g. <c>queue.declare</c>, <c>basic.publish</c>.</summary>
    public required string Method { get; init; }

    /// <summary>
    /// The answer as <c>class.method</c>: the reply method (<c>queue.declare-ok</c>, <c>basic.get-empty</c>),
    /// the publisher confirm (<c>basic.ack</c>, <c>basic.nack</c>) or the close that failed the request
    /// (<c>channel.close</c>); <see langword="null"/> when none is expected or none came.
    /// </summary>
    public string? Reply { get; init; }

    /// <summary>The exchange published to, delivered from, declared, deleted or bound (the destination of an exchange bind).</summary>
    public string? Exchange { get; init; }

    /// <summary>The type of a declared exchange, e.g. <c>direct</c>, <c>topic</c>.</summary>
    public string? ExchangeType { get; init; }

    /// <summary>The source exchange of an <c>exchange.bind</c> or <c>exchange.unbind</c>.</summary>
    public string? SourceExchange { get; init; }

    /// <summary>The routing key of a publish, delivery, return, get-ok or binding.</summary>
    public string? RoutingKey { get; init; }

    /// <summary>The queue declared, bound, purged, deleted, consumed from or read (a server-named queue's name from <c>declare-ok</c>).</summary>
    public string? Queue { get; init; }

    /// <summary>The consumer tag of a consume (the server's from <c>consume-ok</c> when the client left it empty), cancel or delivery.</summary>
    public string? ConsumerTag { get; init; }

    /// <summary>The delivery tag of a delivery, get-ok, ack, nack or reject.</summary>
    public ulong? DeliveryTag { get; init; }

    /// <summary>Whether a delivery or get-ok was delivered before.</summary>
    public bool? Redelivered { get; init; }

    /// <summary>Whether an ack or nack covers every delivery tag up to <see cref="DeliveryTag"/>.</summary>
    public bool Multiple { get; init; }

    /// <summary>Messages in the queue from <c>declare-ok</c> or <c>get-ok</c>, or removed by a purge or delete.</summary>
    public uint? MessageCount { get; init; }

    /// <summary>Consumers of the queue, from <c>queue.declare-ok</c>.</summary>
    public uint? ConsumerCount { get; init; }

    /// <summary>The reply code of a close (the record's own or the one that failed it) or of a <c>basic.return</c>, e.g. 404.</summary>
    public ushort? ReplyCode { get; init; }

    /// <summary>The reply text that came with <see cref="ReplyCode"/>.</summary>
    public string? ReplyText { get; init; }

    /// <summary>The method a close named as its cause, as <c>class.method</c>.</summary>
    public string? FailedMethod { get; init; }

    /// <summary>The virtual host of <c>connection.open</c>.</summary>
    public string? VirtualHost { get; init; }

    /// <summary>The SASL mechanism the client chose in <c>connection.start-ok</c>, else those <c>connection.start</c> offered.</summary>
    public string? Mechanism { get; init; }

    /// <summary>
    /// The SASL response, challenge or new secret of the connection class: <see cref="AmqpParserOptions.RedactedValue"/>
    /// unless redaction is turned off; <see langword="null"/> for other methods.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>The prefetch count of <c>basic.qos</c>.</summary>
    public ushort? PrefetchCount { get; init; }

    /// <summary>The heartbeat interval in seconds of <c>connection.tune</c> (or, with its reply, the one the client chose).</summary>
    public ushort? Heartbeat { get; init; }

    /// <summary>The largest frame size of <c>connection.tune</c> (or, with its reply, the one the client chose).</summary>
    public uint? FrameMax { get; init; }

    /// <summary>The reason of <c>connection.blocked</c> or <c>connection.update-secret</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>The number of a publish on a channel in confirm mode (the delivery tag its confirm carries).</summary>
    public ulong? PublishSequence { get; init; }

    /// <summary>The body size from the content header; <see langword="null"/> for methods without content or when the header was not seen.</summary>
    public long? BodySize { get; init; }

    /// <summary>The <c>content-type</c> property.</summary>
    public string? ContentType { get; init; }

    /// <summary>The <c>content-encoding</c> property.</summary>
    public string? ContentEncoding { get; init; }

    /// <summary>The <c>delivery-mode</c> property: 1 transient, 2 persistent.</summary>
    public byte? DeliveryMode { get; init; }

    /// <summary>The <c>priority</c> property.</summary>
    public byte? Priority { get; init; }

    /// <summary>The <c>correlation-id</c> property.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The <c>reply-to</c> property.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>The <c>expiration</c> property.</summary>
    public string? Expiration { get; init; }

    /// <summary>The <c>message-id</c> property.</summary>
    public string? MessageId { get; init; }

    /// <summary>The <c>timestamp</c> property.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The <c>type</c> property.</summary>
    public string? MessageType { get; init; }

    /// <summary>The <c>user-id</c> property.</summary>
    public string? UserId { get; init; }

    /// <summary>The <c>app-id</c> property.</summary>
    public string? AppId { get; init; }

    /// <summary>
    /// The start of the body, at most <see cref="AmqpParserOptions.MaxBodyBytes"/> bytes, non-printable bytes
    /// escaped as <c>\xHH</c>; <see langword="null"/> without content or when its first bytes were not captured.
    /// </summary>
    public string? Body { get; init; }

    /// <inheritdoc />
    public override string Operation => Method;

    /// <inheritdoc />
    public override string? Resource =>
        Queue is { Length: > 0 } ? Queue
        : RoutingKey is not null ? (string.IsNullOrEmpty(Exchange) ? RoutingKey : Exchange + "/" + RoutingKey)
        : Exchange is { Length: > 0 } ? Exchange
        : ConsumerTag ?? VirtualHost;

    /// <inheritdoc />
    public override string? Outcome =>
        ReplyCode is { } code && code != AmqpReplyCodes.Success
            ? string.Create(CultureInfo.InvariantCulture, $"{code} {AmqpReplyCodes.Name(code) ?? ReplyText}")
            : Reply is { } reply ? reply[(reply.IndexOf('.', StringComparison.Ordinal) + 1)..] : null;

    /// <inheritdoc />
    public override bool IsError =>
        (ReplyCode is { } code && code != AmqpReplyCodes.Success) || Reply == "basic.nack";

    /// <summary>A one-line summary, e.g. <c>amqp ch1 queue.declare orders -> queue.declare-ok in 0.4 ms Client</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        text.Append(CultureInfo.InvariantCulture, $"amqp ch{Channel} {Method}");
        if (Resource is { } resource)
        {
            text.Append(' ').Append(resource);
        }

        if (DeliveryTag is { } tag)
        {
            text.Append(CultureInfo.InvariantCulture, $" tag={tag}");
        }

        if (BodySize is { } size)
        {
            text.Append(CultureInfo.InvariantCulture, $" {size} B");
        }

        if (Secret is not null)
        {
            text.Append(" secret=").Append(Secret);
        }

        if (Reply is not null)
        {
            text.Append(" -> ").Append(Reply);
        }

        if (ReplyCode is { } code)
        {
            text.Append(CultureInfo.InvariantCulture, $" {code}");
            if (ReplyText is not null)
            {
                text.Append(" '").Append(ReplyText).Append('\'');
            }
        }

        if (Latency is { } latency)
        {
            text.Append(CultureInfo.InvariantCulture, $" in {latency.TotalMilliseconds:0.###} ms");
        }

        text.Append(' ').Append(Role);
        if (DataLost)
        {
            text.Append(" [data lost]");
        }

        return text.ToString();
    }
}
