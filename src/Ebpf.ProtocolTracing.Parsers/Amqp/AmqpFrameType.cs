namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>What one unit of an AMQP 0-9-1 stream is (spec 4.2.3); the numbers are the frame type octets.</summary>
internal enum AmqpFrameType : byte
{
    /// <summary>The 8-byte protocol header <c>AMQP\0\0\x09\x01</c> a client sends first (not a frame on the wire).</summary>
    ProtocolHeader = 0,

    /// <summary>A method: class id, method id and arguments.</summary>
    Method = 1,

    /// <summary>A content header: class, weight, body size, property flags and properties.</summary>
    Header = 2,

    /// <summary>A piece of a content body.</summary>
    Body = 3,

    /// <summary>A heartbeat (channel 0, empty payload).</summary>
    Heartbeat = 8,
}
