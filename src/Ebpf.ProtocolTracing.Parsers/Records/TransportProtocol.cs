namespace Ebpf.ProtocolTracing;

/// <summary>The transport a connection uses.</summary>
public enum TransportProtocol : byte
{
    /// <summary>Not known.</summary>
    Unknown = 0,

    /// <summary>TCP: two ordered byte streams.</summary>
    Tcp = 1,

    /// <summary>UDP: datagrams.</summary>
    Udp = 2,
}
