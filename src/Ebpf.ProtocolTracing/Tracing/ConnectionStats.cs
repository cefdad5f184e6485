using System.Net;

namespace Ebpf.ProtocolTracing;

/// <summary>
/// One connection's traffic over one statistics interval (see
/// <see cref="ProtocolTracingOptions.ConnectionStatsInterval"/>): totals since it was first seen, what
/// moved in the interval, and whether it opened or closed in it.
/// </summary>
/// <remarks>
/// Byte counts are stream bytes the kernel saw, captured or not. A connection the tracker started to
/// follow mid-stream counts from the first event it saw.
/// </remarks>
public sealed record ConnectionStats
{
    /// <summary>The connection: process, endpoints, role, whether its bytes are TLS plaintext.</summary>
    public required ConnectionInfo Connection { get; init; }

    /// <summary>The parser chosen for it, e.g. <c>http</c>; <see langword="null"/> while undecided or when none matched.</summary>
    public string? Protocol { get; init; }

    /// <summary>Start of the interval.</summary>
    public required DateTimeOffset IntervalStart { get; init; }

    /// <summary>End of the interval (when these numbers were taken).</summary>
    public required DateTimeOffset IntervalEnd { get; init; }

    /// <summary>Bytes the traced process sent since the connection was first seen.</summary>
    public ulong BytesSent { get; init; }

    /// <summary>Bytes the traced process received since the connection was first seen.</summary>
    public ulong BytesReceived { get; init; }

    /// <summary>Bytes sent during this interval.</summary>
    public ulong BytesSentInInterval { get; init; }

    /// <summary>Bytes received during this interval.</summary>
    public ulong BytesReceivedInInterval { get; init; }

    /// <summary>Whether the connection was first seen during this interval.</summary>
    public bool Opened { get; init; }

    /// <summary>Whether the connection closed (or was expired or evicted) during this interval; this is its last report.</summary>
    public bool Closed { get; init; }

    /// <summary>Whether any byte moved during this interval.</summary>
    public bool Active => BytesSentInInterval != 0 || BytesReceivedInInterval != 0;

    /// <summary>The traced process's role on the connection.</summary>
    public ConnectionRole Role => Connection.Role;

    /// <summary>Whether the bytes are TLS plaintext.</summary>
    public bool Encrypted => Connection.Encrypted;

    /// <summary>The traced process's endpoint.</summary>
    public IPEndPoint? LocalEndPoint => Connection.LocalEndPoint;

    /// <summary>The peer's endpoint.</summary>
    public IPEndPoint? RemoteEndPoint => Connection.RemoteEndPoint;
}
