namespace Ebpf.ProtocolTracing.Http2;

/// <summary>The frame types of RFC 9113 section 6 (https://www.rfc-editor.org/rfc/rfc9113#section-6).</summary>
internal enum Http2FrameType : byte
{
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    RstStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
}

/// <summary>Frame flags (RFC 9113 section 6); their meaning depends on the frame type.</summary>
internal static class Http2Flags
{
    public const byte EndStream = 0x1;
    public const byte Ack = 0x1;
    public const byte EndHeaders = 0x4;
    public const byte Padded = 0x8;
    public const byte Priority = 0x20;
}
