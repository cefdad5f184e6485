namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>What an <see cref="IFrameReader{TFrame}"/> found at the current offset.</summary>
internal enum FrameReadStatus
{
    /// <summary>The frame is not complete yet.</summary>
    NeedMore,

    /// <summary>A frame is ready: take it with <see cref="IFrameReader{TFrame}.TakeFrame"/>.</summary>
    Frame,

    /// <summary>The bytes at the offset are not a frame.</summary>
    Invalid,
}
