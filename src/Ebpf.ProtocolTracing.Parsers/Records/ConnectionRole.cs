namespace Ebpf.ProtocolTracing;

/// <summary>Which side of a connection the traced process is on.</summary>
public enum ConnectionRole : byte
{
    /// <summary>Not known: the connection was opened before tracing started and nothing told yet.</summary>
    Unknown = 0,

    /// <summary>The traced process opened the connection (connect) or sent the request.</summary>
    Client = 1,

    /// <summary>The traced process accepted the connection or received the request.</summary>
    Server = 2,
}
