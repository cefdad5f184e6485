namespace Ebpf.ProtocolTracing;

/// <summary>One of the two byte streams of a connection, seen from the traced process.</summary>
public enum StreamDirection : byte
{
    /// <summary>Bytes the traced process sent.</summary>
    Egress = 0,

    /// <summary>Bytes the traced process received.</summary>
    Ingress = 1,
}
