namespace Ebpf.ProtocolTracing.Http;

/// <summary>One request or response as it is being read: its head as strings, its body as it arrives.</summary>
/// <remarks>
/// A message is scaffolding: a record copies out what it needs (strings, the immutable header list, the
/// body's own array), so once its exchange is emitted and nothing refers to it any more, its connection
/// may use it again for a later message through <see cref="Reuse"/>.
/// </remarks>
internal sealed class HttpMessage
{
    /// <summary>Creates a message read from a head.</summary>
    public HttpMessage(HttpMessageKind kind, DateTimeOffset time, int bodyLimit)
    {
        Kind = kind;
        Time = time;
        Body = new HttpBodyCapture(bodyLimit);
    }

    /// <summary>Request or response.</summary>
    public HttpMessageKind Kind { get; private set; }

    /// <summary>When its first byte crossed the syscall boundary.</summary>
    public DateTimeOffset Time { get; private set; }

    /// <summary>Request method.</summary>
    public string? Method { get; set; }

    /// <summary>Request target.</summary>
    public string? Target { get; set; }

    /// <summary>Protocol version, e.g. HTTP/1.1.</summary>
    public string? Version { get; set; }

    /// <summary>Response status code.</summary>
    public int StatusCode { get; set; }

    /// <summary>Response reason phrase.</summary>
    public string? ReasonPhrase { get; set; }

    /// <summary>Header fields.</summary>
    public HttpHeaders Headers { get; set; } = HttpHeaders.Empty;

    /// <summary>The body as captured so far.</summary>
    public HttpBodyCapture Body { get; }

    /// <summary>Whether the method is HEAD (its response has no body).</summary>
    public bool IsHeadMethod { get; set; }

    /// <summary>Whether the method is CONNECT (a 2xx response turns the connection into a tunnel).</summary>
    public bool IsConnectMethod { get; set; }

    /// <summary>Whether the request asks to switch protocols, so the bytes after it may not be HTTP/1.x.</summary>
    public bool MayLeaveHttp { get; set; }

    /// <summary>Whether the server has answered a <see cref="MayLeaveHttp"/> request without leaving HTTP/1.x.</summary>
    public bool StaysHttp { get; set; }

    /// <summary>Bytes of this request charged to its connection's pending budget while it waits for a response.</summary>
    public long PendingBytes { get; set; }

    /// <summary>Whether this request is waiting in the matcher's queue.</summary>
    public bool IsPending { get; set; }

    /// <summary>Whether bytes of this message were lost.</summary>
    public bool DataLost { get; set; }

    /// <summary>Makes this finished message a new, empty one, as the constructor would; its old body array is left to the record that has it.</summary>
    public void Reuse(HttpMessageKind kind, DateTimeOffset time)
    {
        Kind = kind;
        Time = time;
        Method = null;
        Target = null;
        Version = null;
        StatusCode = 0;
        ReasonPhrase = null;
        Headers = HttpHeaders.Empty;
        Body.Reset();
        IsHeadMethod = false;
        IsConnectMethod = false;
        MayLeaveHttp = false;
        StaysHttp = false;
        PendingBytes = 0;
        IsPending = false;
        DataLost = false;
    }
}
