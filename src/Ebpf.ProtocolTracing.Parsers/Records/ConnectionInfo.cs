using System.Net;

namespace Ebpf.ProtocolTracing;

/// <summary>What is known about a connection: who owns it and between which endpoints it runs.</summary>
/// <remarks>One instance is shared by every record of the connection.</remarks>
public sealed record ConnectionInfo
{
    /// <summary>The connection's identity.</summary>
    public required ConnectionId Id { get; init; }

    /// <summary>The traced process that owns the socket.</summary>
    public required ProcessInfo Process { get; init; }

    /// <summary>The traced process's address and port; <see langword="null"/> when unknown.</summary>
    public IPEndPoint? LocalEndPoint { get; init; }

    /// <summary>The peer's address and port; <see langword="null"/> when unknown.</summary>
    public IPEndPoint? RemoteEndPoint { get; init; }

    /// <summary>The role the kernel saw (connect: client, accept: server, otherwise unknown).</summary>
    public ConnectionRole Role { get; init; }

    /// <summary>TCP or UDP.</summary>
    public TransportProtocol Transport { get; init; } = TransportProtocol.Tcp;

    /// <summary>Whether the bytes are plaintext taken from a TLS library rather than the socket.</summary>
    public bool Encrypted { get; init; }
}
