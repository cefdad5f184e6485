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

    /// <summary>
    /// What was asked, in a word or two, e.g. <c>GET</c>, <c>Query</c>, <c>SET</c>. Lets tools show any
    /// protocol's records without knowing its type.
    /// </summary>
    public virtual string Operation => Protocol;

    /// <summary>What it was asked of, e.g. an HTTP target, a SQL statement, a key; <see langword="null"/> when nothing applies.</summary>
    public virtual string? Resource => null;

    /// <summary>The outcome in a few characters, e.g. <c>200</c>, <c>OK</c>, <c>ERR 42P01</c>; <see langword="null"/> without a response.</summary>
    public virtual string? Outcome => null;

    /// <summary>Whether the exchange failed at the protocol level (an HTTP 5xx, an SQL error, a Redis error reply).</summary>
    public virtual bool IsError => false;

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
