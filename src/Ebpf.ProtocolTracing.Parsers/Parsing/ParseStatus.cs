namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>The outcome of <see cref="IConnectionParser.Parse"/>.</summary>
public enum ParseStatus
{
    /// <summary>Frames were consumed as far as possible; the rest needs more bytes.</summary>
    Continue = 0,

    /// <summary>The bytes at the consumed position are not a valid frame: resync from there.</summary>
    Invalid = 1,

    /// <summary>The connection left this protocol (e.g. HTTP Upgrade, CONNECT); stop parsing it cleanly.</summary>
    Stop = 2,
}
