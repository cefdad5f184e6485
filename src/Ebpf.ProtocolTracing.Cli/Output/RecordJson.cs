using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Cli.Output;

/// <summary>The JSON shape of one record: the common fields, then the protocol's own (null ones left out).</summary>
internal sealed class RecordJson
{
    public required string Protocol { get; init; }

    public required DateTimeOffset RequestTime { get; init; }

    public DateTimeOffset? ResponseTime { get; init; }

    public double? LatencyMs { get; init; }

    public required int Pid { get; init; }

    public required string Process { get; init; }

    public string? Local { get; init; }

    public string? Remote { get; init; }

    public required string Role { get; init; }

    public required bool Encrypted { get; init; }

    public required bool DataLost { get; init; }

    public string? Method { get; init; }

    public string? Target { get; init; }

    public string? Version { get; init; }

    public int? StatusCode { get; init; }

    public string? ReasonPhrase { get; init; }

    /// <summary>Header fields as [name, value] pairs, in wire order (names may repeat).</summary>
    public string[][]? RequestHeaders { get; init; }

    public long? RequestBodySize { get; init; }

    public bool? RequestBodyTruncated { get; init; }

    public string[][]? ResponseHeaders { get; init; }

    public long? ResponseBodySize { get; init; }

    public bool? ResponseBodyTruncated { get; init; }

    public static RecordJson From(ProtocolRecord record)
    {
        var http = record as HttpRecord;
        return new RecordJson
        {
            Protocol = record.Protocol,
            RequestTime = record.RequestTime,
            ResponseTime = record.ResponseTime,
            LatencyMs = record.Latency?.TotalMilliseconds,
            Pid = record.Pid,
            Process = record.ProcessName,
            Local = record.LocalEndPoint?.ToString(),
            Remote = record.RemoteEndPoint?.ToString(),
            Role = record.Role switch { ConnectionRole.Client => "client", ConnectionRole.Server => "server", _ => "unknown" },
            Encrypted = record.Encrypted,
            DataLost = record.DataLost,
            Method = http?.Method,
            Target = http?.Target,
            Version = http?.Version,
            StatusCode = http?.StatusCode,
            ReasonPhrase = http?.ReasonPhrase,
            RequestHeaders = http is null ? null : Pairs(http.RequestHeaders),
            RequestBodySize = http?.RequestBodySize,
            RequestBodyTruncated = http?.RequestBodyTruncated,
            ResponseHeaders = http is null ? null : Pairs(http.ResponseHeaders),
            ResponseBodySize = http?.ResponseBodySize,
            ResponseBodyTruncated = http?.ResponseBodyTruncated,
        };
    }

    private static string[][] Pairs(HttpHeaders headers)
    {
        var pairs = new string[headers.Count][];
        for (var i = 0; i < pairs.Length; i++)
            pairs[i] = [headers[i].Key, headers[i].Value];
        return pairs;
    }
}
