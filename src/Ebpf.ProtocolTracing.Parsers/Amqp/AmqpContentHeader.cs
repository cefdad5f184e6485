namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// The decoded content header frame (spec 4.2.6.1): the body's size and the basic class's properties a
/// record shows. The <c>headers</c> table is skipped (its size is kept).
/// </summary>
internal sealed class AmqpContentHeader
{
    public ushort ClassId { get; init; }

    public ulong BodySize { get; init; }

    public string? ContentType { get; set; }

    public string? ContentEncoding { get; set; }

    public int HeadersBytes { get; set; }

    public byte? DeliveryMode { get; set; }

    public byte? Priority { get; set; }

    public string? CorrelationId { get; set; }

    public string? ReplyTo { get; set; }

    public string? Expiration { get; set; }

    public string? MessageId { get; set; }

    public ulong? Timestamp { get; set; }

    public string? Type { get; set; }

    public string? UserId { get; set; }

    public string? AppId { get; set; }
}
