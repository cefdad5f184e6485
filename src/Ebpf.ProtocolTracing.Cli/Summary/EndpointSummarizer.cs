using System.Globalization;
using System.Net;

namespace Ebpf.ProtocolTracing.Cli.Summary;

/// <summary>
/// Rolling per-endpoint statistics (requests/s, error rate, p50/p99 latency) over the last
/// <see cref="WindowSeconds"/> seconds of record time. Memory is bounded: at most
/// <see cref="MaxEndpoints"/> endpoints, the rest counted under one "(other endpoints)" row.
/// </summary>
/// <remarks>Thread-safe: records are added on one thread while another renders.</remarks>
internal sealed class EndpointSummarizer(int windowSeconds = EndpointSummarizer.DefaultWindowSeconds, int maxEndpoints = EndpointSummarizer.DefaultMaxEndpoints)
{
    public const int DefaultWindowSeconds = 10;
    public const int DefaultMaxEndpoints = 500;
    private const int MaxResourceLength = 60;
    private const string Other = "(other endpoints)";

    // Endpoints named so far: a connection's records share its endpoint, so its text is made once,
    // not per record. Cleared when full, so memory stays bounded whatever the traffic.
    private const int MaxNamedEndpoints = 4096;

    private readonly Dictionary<EndpointKey, EndpointWindow> _endpoints = new();
    private readonly Dictionary<IPEndPoint, string> _endpointNames = new();
    private readonly Lock _lock = new();
    private DateTimeOffset _latest;

    // The previous record's key and window: records mostly repeat the endpoint before them with the very
    // same strings (a connection's, or a load generator's, requests), so a comparison of references
    // replaces hashing four strings. Forgotten whenever an endpoint is, so it never outlives its window.
    private EndpointKey _lastKey;
    private EndpointWindow? _lastWindow;

    public int WindowSeconds => windowSeconds;

    public int MaxEndpoints => maxEndpoints;

    /// <summary>The newest request time seen; replays use it as "now".</summary>
    public DateTimeOffset Latest
    {
        get
        {
            lock (_lock)
                return _latest;
        }
    }

    public void Add(ProtocolRecord record)
    {
        var second = record.RequestTime.ToUnixTimeSeconds();
        lock (_lock)
        {
            var key = KeyOf(record);
            var window = _lastWindow is not null && SameStrings(key, _lastKey) ? _lastWindow : Find(key, record.Protocol);

            window.Add(second, record.IsError, record.Latency);
            if (record.RequestTime > _latest)
                _latest = record.RequestTime;
        }
    }

    private EndpointWindow Find(EndpointKey key, string protocol)
    {
        var recordKey = key;
        if (!_endpoints.TryGetValue(key, out var window))
        {
            if (_endpoints.Count >= maxEndpoints)
                key = new EndpointKey(protocol, Other, string.Empty, string.Empty);
            if (!_endpoints.TryGetValue(key, out window))
            {
                window = new EndpointWindow(windowSeconds);
                _endpoints.Add(key, window);
            }
        }

        _lastKey = recordKey;
        _lastWindow = window;
        return window;
    }

    private static bool SameStrings(EndpointKey a, EndpointKey b) =>
        ReferenceEquals(a.Protocol, b.Protocol) && ReferenceEquals(a.Server, b.Server)
        && ReferenceEquals(a.Operation, b.Operation) && ReferenceEquals(a.Resource, b.Resource);

    /// <summary>The endpoints with traffic in the window ending at <paramref name="now"/>, busiest first.</summary>
    public IReadOnlyList<EndpointSummary> Snapshot(DateTimeOffset now)
    {
        var nowSecond = now.ToUnixTimeSeconds();
        var rows = new List<EndpointSummary>();
        var latencies = new LatencyHistogram();
        lock (_lock)
        {
            List<EndpointKey>? stale = null;
            foreach (var (key, window) in _endpoints)
            {
                latencies.Clear();
                var (requests, errors) = window.Totals(nowSecond, latencies);
                if (requests == 0)
                {
                    // Forget endpoints gone quiet so the table (and memory) follows current traffic.
                    if (window.LastSecond <= nowSecond - windowSeconds)
                        (stale ??= []).Add(key);
                    continue;
                }

                rows.Add(new EndpointSummary(
                    key.Protocol,
                    key.Server,
                    key.Operation,
                    key.Resource,
                    requests,
                    (double)requests / windowSeconds,
                    (double)errors / requests,
                    latencies.Percentile(0.50),
                    latencies.Percentile(0.99)));
            }

            foreach (var key in stale ?? [])
                _endpoints.Remove(key);
            if (stale is not null)
                _lastWindow = null;
        }

        rows.Sort((a, b) => b.Requests != a.Requests
            ? b.Requests.CompareTo(a.Requests)
            : string.CompareOrdinal(a.Protocol + a.Server + a.Operation + a.Resource, b.Protocol + b.Server + b.Operation + b.Resource));
        return rows;
    }

    private EndpointKey KeyOf(ProtocolRecord record)
    {
        // The serving side names the endpoint, whichever side was traced.
        var server = record.Role == ConnectionRole.Client ? record.RemoteEndPoint : record.LocalEndPoint;
        return new EndpointKey(record.Protocol, Describe(server), record.Operation, Normalize(record.Resource));
    }

    private string Describe(IPEndPoint? endPoint)
    {
        if (endPoint is null)
            return "?";
        if (_endpointNames.TryGetValue(endPoint, out var name))
            return name;
        if (_endpointNames.Count >= MaxNamedEndpoints)
            _endpointNames.Clear();
        name = endPoint.ToString();
        _endpointNames.Add(endPoint, name);
        return name;
    }

    private static string Normalize(string? resource)
    {
        if (string.IsNullOrEmpty(resource))
            return string.Empty;
        var query = resource.IndexOf('?', StringComparison.Ordinal);
        var text = query < 0 ? resource : resource[..query];
        if (text.AsSpan().IndexOfAny('\r', '\n', '\t') >= 0)
            text = text.Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ');
        return text.Length <= MaxResourceLength ? text : string.Concat(text.AsSpan(0, MaxResourceLength - 1), "…");
    }

    private readonly record struct EndpointKey(string Protocol, string Server, string Operation, string Resource);

    public static string FormatLatency(TimeSpan? latency) =>
        latency is { } value ? value.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture) + " ms" : "-";
}
