namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>The decoded arguments of one method frame; only those a record shows are kept.</summary>
internal sealed class AmqpMethod
{
    public ushort ClassId { get; init; }

    public ushort MethodId { get; init; }

    /// <summary>Whether the sender asked for no reply (the no-wait bit of declare, bind, consume, ...).</summary>
    public bool NoWait { get; set; }

    /// <summary>Whether the arguments ran past the payload (the frame is kept; the fields read are shown).</summary>
    public bool Truncated { get; set; }

    public string? Exchange { get; set; }

    public string? ExchangeType { get; set; }

    /// <summary>The source exchange of an exchange-to-exchange bind or unbind.</summary>
    public string? Source { get; set; }

    public string? RoutingKey { get; set; }

    public string? Queue { get; set; }

    public string? ConsumerTag { get; set; }

    public ulong? DeliveryTag { get; set; }

    public bool Multiple { get; set; }

    public bool? Redelivered { get; set; }

    public uint? MessageCount { get; set; }

    public uint? ConsumerCount { get; set; }

    public ushort? ReplyCode { get; set; }

    public string? ReplyText { get; set; }

    /// <summary>The method a close names as the cause, as <c>class.method</c>.</summary>
    public string? FailedMethod { get; set; }

    public string? VirtualHost { get; set; }

    public string? Mechanism { get; set; }

    /// <summary>A SASL response, new secret or challenge: the redacted marker, or (redaction off) the escaped bytes.</summary>
    public string? Secret { get; set; }

    public ushort? PrefetchCount { get; set; }

    public ushort? Heartbeat { get; set; }

    public uint? FrameMax { get; set; }

    public string? Reason { get; set; }

    public bool? Active { get; set; }
}
