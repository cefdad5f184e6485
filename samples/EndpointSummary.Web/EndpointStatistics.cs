using Ebpf.ProtocolTracing;

namespace Samples.EndpointSummary.Web;

/// <summary>One endpoint's numbers over the window.</summary>
internal sealed record EndpointRow(string Protocol, string Server, string Operation, string Resource, int Requests, double RequestsPerSecond, double ErrorRate, double? P50Ms, double? P99Ms);

/// <summary>
/// Per-endpoint exchanges of the last <see cref="WindowSeconds"/> seconds. Keeps at most
/// <see cref="MaxSamplesPerEndpoint"/> samples per endpoint and <see cref="MaxEndpoints"/> endpoints, so
/// memory stays bounded however busy the host is.
/// </summary>
internal sealed class EndpointStatistics
{
    public const int WindowSeconds = 10;
    public const int MaxEndpoints = 1000;
    public const int MaxSamplesPerEndpoint = 10_000;

    private readonly Dictionary<(string Protocol, string Server, string Operation, string Resource), Queue<Sample>> _endpoints = new();
    private readonly Lock _lock = new();

    public void Add(ProtocolRecord record)
    {
        var server = record.Role == ConnectionRole.Client ? record.RemoteEndPoint : record.LocalEndPoint;
        var resource = record.Resource ?? string.Empty;
        var query = resource.IndexOf('?', StringComparison.Ordinal);
        var key = (record.Protocol, server?.ToString() ?? "?", record.Operation, query < 0 ? resource : resource[..query]);
        lock (_lock)
        {
            if (!_endpoints.TryGetValue(key, out var samples))
            {
                if (_endpoints.Count >= MaxEndpoints)
                    return;
                samples = new Queue<Sample>();
                _endpoints.Add(key, samples);
            }

            if (samples.Count == MaxSamplesPerEndpoint)
                samples.Dequeue();
            samples.Enqueue(new Sample(record.RequestTime, record.IsError, record.Latency));
        }
    }

    public List<EndpointRow> Snapshot(DateTimeOffset now)
    {
        var since = now.AddSeconds(-WindowSeconds);
        var rows = new List<EndpointRow>();
        lock (_lock)
        {
            foreach (var (key, samples) in _endpoints)
            {
                while (samples.TryPeek(out var oldest) && oldest.Time < since)
                    samples.Dequeue();
                if (samples.Count == 0)
                    continue;
                var latencies = samples.Where(s => s.Latency is not null).Select(s => s.Latency!.Value.TotalMilliseconds).Order().ToArray();
                var errors = samples.Count(s => s.IsError);
                rows.Add(new EndpointRow(key.Protocol, key.Server, key.Operation, key.Item4, samples.Count,
                    samples.Count / (double)WindowSeconds, errors / (double)samples.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.99)));
            }
        }

        return [.. rows.OrderByDescending(r => r.Requests)];
    }

    private static double? Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];

    private readonly record struct Sample(DateTimeOffset Time, bool IsError, TimeSpan? Latency);
}
