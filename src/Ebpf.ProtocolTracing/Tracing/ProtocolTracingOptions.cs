namespace Ebpf.ProtocolTracing;

/// <summary>Settings of the tracer. Validated when the tracer starts; a bad value fails with the option's name.</summary>
public sealed class ProtocolTracingOptions
{
    /// <summary>The kernel-to-user buffer. Default: <see cref="EventBufferKind.RingBuffer"/>.</summary>
    public EventBufferKind EventBuffer { get; set; } = EventBufferKind.RingBuffer;

    /// <summary>
    /// Ring buffer size in bytes: a power of two, at least 4096. Default 4 MiB, which carried 20,000
    /// HTTP requests/s with no loss. The kernel maps the ring's data pages twice (so no record wraps),
    /// so once the ring has gone round it adds twice its size to the process's RSS.
    /// </summary>
    public int RingBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Perf buffer pages per CPU: a power of two. Default 64.</summary>
    public int PerfBufferPagesPerCpu { get; set; } = 64;

    /// <summary>Payload bytes captured per kernel event, 1 to 8192. Default 8192.</summary>
    public int CaptureBytesPerEvent { get; set; } = 8192;

    /// <summary>Kernel events per syscall, 1 to 8; bytes beyond events × capture are a gap of known size. Default 4.</summary>
    public int MaxEventsPerSyscall { get; set; } = 4;

    /// <summary>Trace only these processes (thread group ids). Empty: every process but the tracer's own.</summary>
    public ISet<int> ProcessIds { get; } = new HashSet<int>();

    /// <summary>Trace the tracer's own process too. Default <see langword="false"/>.</summary>
    public bool TraceOwnProcess { get; set; }

    /// <summary>
    /// Ports whose connections are always captured and handed to the named parser (local or remote port),
    /// e.g. <c>options.ParserPorts[9000] = "lineproto"</c> for a host's custom parser.
    /// </summary>
    public IDictionary<int, string> ParserPorts { get; } = new Dictionary<int, string>();

    /// <summary>Names of the protocols to trace (parser names). Empty: every registered parser.</summary>
    public ISet<string> Protocols { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Bytes one connection may buffer per direction while a frame is incomplete. Default 1 MiB.</summary>
    public int MaxBufferedBytesPerConnection { get; set; } = 1024 * 1024;

    /// <summary>Bytes all connections together may buffer. Default 256 MiB.</summary>
    public long MaxBufferedBytesTotal { get; set; } = 256L * 1024 * 1024;

    /// <summary>Connections tracked at once in user space; the least recently active go first. Default 100,000.</summary>
    public int MaxConnections { get; set; } = 100_000;

    /// <summary>A connection with no event for this long is completed and forgotten. Default 5 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long out-of-order data waits for a missing earlier piece before it counts as a gap. Default 200 ms.</summary>
    public TimeSpan ReorderWindow { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Records held for a slow reader; beyond this they are dropped and counted. Default 100,000.</summary>
    public int RecordBufferCapacity { get; set; } = 100_000;

    /// <summary>
    /// Capture the plaintext of TLS connections with uprobes on OpenSSL's SSL_read/SSL_write (shared
    /// libssl, and executables that export them). Records of it have <c>Encrypted = true</c>. Default <see langword="true"/>.
    /// </summary>
    public bool TraceTls { get; set; } = true;

    /// <summary>
    /// How often <see cref="IProtocolTracer.ReadConnectionStatsAsync"/> reports each connection, from
    /// 100 ms to 1 hour. Default 10 seconds.
    /// </summary>
    public TimeSpan ConnectionStatsInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connection statistics held for a slow reader; beyond this they are dropped and counted. One
    /// interval's reports of every tracked connection are always held, even when there are more
    /// connections than this, so a reader that keeps up loses none. Default 10,000.
    /// </summary>
    public int ConnectionStatsBufferCapacity { get; set; } = 10_000;
}
