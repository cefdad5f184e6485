namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>One unit read from a direction: the protocol header or a frame with what was decoded of it.</summary>
internal sealed class AmqpFrame
{
    public AmqpFrameType Type { get; init; }

    public ushort Channel { get; init; }

    /// <summary>Stream offset of the frame's first byte (for its time).</summary>
    public long Position { get; init; }

    /// <summary>The payload size the frame header declared.</summary>
    public long PayloadSize { get; init; }

    /// <summary>The method of a method frame.</summary>
    public AmqpMethod? Method { get; init; }

    /// <summary>The content header of a header frame.</summary>
    public AmqpContentHeader? Header { get; init; }

    /// <summary>
    /// The first bytes of a body frame's payload (at most the body preview limit). Valid only until the
    /// reader reads again: whoever keeps them copies them.
    /// </summary>
    public ReadOnlyMemory<byte> BodyKept { get; init; }

    /// <summary>Whether bytes of a body frame were not captured (the kept bytes end where the gap began).</summary>
    public bool BodyGap { get; init; }
}
