namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// A method on its way to a record: waiting for its reply, its content (header and body frames), or a
/// publisher confirm.
/// </summary>
internal sealed class AmqpPending
{
    public AmqpPending(AmqpMethod method, ushort channel, StreamDirection direction, DateTimeOffset time, ConnectionRole role)
    {
        Method = method;
        Channel = channel;
        Direction = direction;
        Time = time;
        Role = role;
    }

    public AmqpMethod Method { get; }

    public ushort Channel { get; }

    /// <summary>The direction the method was sent in.</summary>
    public StreamDirection Direction { get; }

    public DateTimeOffset Time { get; }

    public ConnectionRole Role { get; }

    /// <summary>The reply (a <c>-ok</c> method, <c>get-empty</c>, a close that failed it, or a confirm).</summary>
    public AmqpMethod? Reply { get; set; }

    public DateTimeOffset? ReplyTime { get; set; }

    /// <summary>The content header, once its frame came.</summary>
    public AmqpContentHeader? Header { get; set; }

    /// <summary>Body bytes received (declared sizes of the body frames).</summary>
    public ulong BodyReceived { get; set; }

    /// <summary>The first bytes of the body; <see langword="null"/> until a body frame kept some.</summary>
    public byte[]? BodyKept { get; set; }

    public int BodyKeptLength { get; set; }

    /// <summary>Whether body bytes were not captured, so the kept ones stop there.</summary>
    public bool BodyGap { get; set; }

    /// <summary>The publish's number among the channel's publishes since <c>confirm.select</c> (its confirm's delivery tag).</summary>
    public ulong? PublishSequence { get; set; }

    /// <summary>Whether the content is complete: a header came and all its body bytes after it.</summary>
    public bool ContentComplete => Header is { } header && BodyReceived >= header.BodySize;
}
