using System.Net;

namespace Ebpf.ProtocolTracing;

/// <summary>
/// One exchange seen on the wire: a request and (when there is one) its response. Each protocol has a
/// sealed subtype with its own fields, e.g. <c>Ebpf.ProtocolTracing.Http.HttpRecord</c>.
/// </summary>
public abstract record ProtocolRecord
{
    /// <summary>The protocol's short name, e.g. <c>http</c>.</summary>
    public abstract string Protocol { get; }

    /// <summary>The connection the exchange happened on.</summary>
    public required ConnectionInfo Connection { get; init; }

    /// <summary>The traced process's role in this exchange (client when it sent the request).</summary>
    public required ConnectionRole Role { get; init; }

    /// <summary>When the first byte of the request crossed the syscall boundary.</summary>
    public required DateTimeOffset RequestTime { get; init; }

    /// <summary>When the first byte of the response crossed the syscall boundary; <see langword="null"/> without a response.</summary>
    public DateTimeOffset? ResponseTime { get; init; }

    /// <summary>Time from request to response; <see langword="null"/> without a response.</summary>
    public TimeSpan? Latency => ResponseTime - RequestTime;

    /// <summary>
    /// Whether bytes of this exchange were lost (buffer overflow, capture gap inside a header) so some
    /// fields may be missing. Bodies cut by the capture limit do not count; their sizes are kept.
    /// </summary>
    public bool DataLost { get; init; }

    /// <summary>Process id of the traced process.</summary>
    public int Pid => Connection.Process.Pid;

    /// <summary>Name of the traced process.</summary>
    public string ProcessName => Connection.Process.Name;

    /// <summary>The traced process's endpoint.</summary>
    public IPEndPoint? LocalEndPoint => Connection.LocalEndPoint;

    /// <summary>The peer's endpoint.</summary>
    public IPEndPoint? RemoteEndPoint => Connection.RemoteEndPoint;

    /// <summary>Whether the exchange was captured as TLS plaintext.</summary>
    public bool Encrypted => Connection.Encrypted;
}
