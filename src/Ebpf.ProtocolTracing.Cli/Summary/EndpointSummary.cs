namespace Ebpf.ProtocolTracing.Cli.Summary;

/// <summary>One endpoint's traffic over the summary window.</summary>
/// <param name="Protocol">The protocol (parser name).</param>
/// <param name="Server">The serving side, <c>address:port</c>.</param>
/// <param name="Operation">The record's operation (HTTP method, SQL verb, command name).</param>
/// <param name="Resource">The record's resource without its query string (path, statement, key), shortened.</param>
/// <param name="Requests">Exchanges in the window.</param>
/// <param name="RequestsPerSecond">Exchanges per second over the window.</param>
/// <param name="ErrorRate">Share of the exchanges that were errors, 0 to 1.</param>
/// <param name="P50">Median latency; null when no exchange had a response.</param>
/// <param name="P99">99th percentile latency; null when no exchange had a response.</param>
internal sealed record EndpointSummary(
    string Protocol,
    string Server,
    string Operation,
    string Resource,
    long Requests,
    double RequestsPerSecond,
    double ErrorRate,
    TimeSpan? P50,
    TimeSpan? P99);
