using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Cli;

/// <summary>What the command line asked for.</summary>
/// <param name="Json">One JSON object per record instead of the table.</param>
/// <param name="ProcessIds">Trace only these processes (kernel-side filter).</param>
/// <param name="Ports">Show only records whose local or remote port is one of these.</param>
/// <param name="Protocols">Enabled protocols (parser names); empty: all.</param>
/// <param name="Duration">Stop after this long; <see langword="null"/>: until Ctrl-C.</param>
/// <param name="Buffer">The kernel-to-user buffer.</param>
/// <param name="CaptureBytes">Payload bytes captured per kernel event; <see langword="null"/>: the default.</param>
internal sealed record TraceSettings(
    bool Json,
    IReadOnlyCollection<int> ProcessIds,
    IReadOnlySet<int> Ports,
    IReadOnlyCollection<string> Protocols,
    TimeSpan? Duration,
    EventBufferKind Buffer,
    int? CaptureBytes)
{
    /// <summary>Leave TLS libraries unprobed (<c>--no-tls</c>): encrypted connections show no records.</summary>
    public bool NoTls { get; init; }

    /// <summary>Per-endpoint statistics instead of records (<c>--summary</c>).</summary>
    public bool Summary { get; init; }

    /// <summary>Plain lines even in a terminal (<c>--plain</c>).</summary>
    public bool Plain { get; init; }

    /// <summary>Save the raw kernel events to this file while tracing (<c>--record</c>); <see langword="null"/>: do not.</summary>
    public string? RecordPath { get; init; }

    /// <summary>The tracer options these settings stand for.</summary>
    public ProtocolTracingOptions ToTracingOptions()
    {
        var options = new ProtocolTracingOptions { EventBuffer = Buffer, TraceTls = !NoTls };
        if (CaptureBytes is { } captureBytes)
            options.CaptureBytesPerEvent = captureBytes;
        foreach (var pid in ProcessIds)
            options.ProcessIds.Add(pid);
        foreach (var protocol in Protocols)
            options.Protocols.Add(protocol);
        return options;
    }

    /// <summary>
    /// The parsers to run; <see langword="null"/> for the built-in ones as they are. <c>--summary</c> shows
    /// no bodies, so its HTTP/1.x parser keeps none: each exchange then costs the tracer no body copies.
    /// </summary>
    public IReadOnlyList<IProtocolParser>? CreateParsers()
    {
        if (!Summary)
            return null;
        var parsers = new List<IProtocolParser>();
        foreach (var parser in BuiltInParsers.CreateAll())
            parsers.Add(parser is HttpParser ? new HttpParser(new HttpParserOptions { MaxBodyBytes = 0 }) : parser);
        return parsers;
    }

    /// <summary>Whether <paramref name="record"/> passes the <c>--port</c> filter.</summary>
    public bool Shows(ProtocolRecord record)
    {
        if (Ports.Count == 0)
            return true;
        return (record.LocalEndPoint is { } local && Ports.Contains(local.Port))
            || (record.RemoteEndPoint is { } remote && Ports.Contains(remote.Port));
    }
}
