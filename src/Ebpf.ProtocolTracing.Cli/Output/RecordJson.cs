namespace Ebpf.ProtocolTracing.Cli.Output;

/// <summary>The JSON fields every record has; the protocol's own fields follow them in the same object.</summary>
internal sealed class RecordJson
{
    public required string Protocol { get; init; }

    public required string Operation { get; init; }

    public string? Resource { get; init; }

    public string? Outcome { get; init; }

    public required bool IsError { get; init; }

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

    public static RecordJson From(ProtocolRecord record) => new()
    {
        Protocol = record.Protocol,
        Operation = record.Operation,
        Resource = record.Resource,
        Outcome = record.Outcome,
        IsError = record.IsError,
        RequestTime = record.RequestTime,
        ResponseTime = record.ResponseTime,
        LatencyMs = record.Latency?.TotalMilliseconds,
        Pid = record.Pid,
        Process = record.ProcessName,
        Local = record.LocalEndPoint?.ToString(),
        Remote = record.RemoteEndPoint?.ToString(),
        Role = RecordText.Role(record.Role),
        Encrypted = record.Encrypted,
        DataLost = record.DataLost,
    };
}
