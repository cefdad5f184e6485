namespace Ebpf.ProtocolTracing.OpenTelemetry;

/// <summary>What the spans made from records carry.</summary>
public sealed class ProtocolTracingSpanOptions
{
    /// <summary>
    /// Put the statement or command of database records in <c>db.query.text</c>. Statements may hold
    /// personal data even with the parsers' redaction of secrets, so this is off by default.
    /// </summary>
    public bool IncludeQueryText { get; set; }

    /// <summary>
    /// Make spans of the records of this very process too. Off by default: with
    /// <see cref="ProtocolTracingOptions.TraceOwnProcess"/> on, the exporter's own requests would be
    /// traced, become spans, be exported, be traced… without end.
    /// </summary>
    public bool IncludeOwnProcess { get; set; }

    /// <summary>Decides which records become spans; <see langword="null"/> for all of them.</summary>
    public Func<ProtocolRecord, bool>? Filter { get; set; }
}
