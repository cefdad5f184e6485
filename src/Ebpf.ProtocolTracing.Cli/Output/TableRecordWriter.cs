using System.Globalization;
using System.Net;
using System.Text;
using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Cli.Output;

/// <summary>One aligned line per record: time, process, role, endpoints, method, target, status, latency.</summary>
internal sealed class TableRecordWriter(TextWriter output) : IRecordWriter
{
    private static readonly CompositeFormat Row = CompositeFormat.Parse("{0,-12} {1,-24} {2,-6} {3,-47} {4,-7} {5,-40} {6,6} {7,10}");
    private const int TargetWidth = 40;
    private const int ProcessWidth = 24;
    private bool _headerWritten;

    public void Write(ProtocolRecord record)
    {
        if (!_headerWritten)
        {
            _headerWritten = true;
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, Row, "TIME", "PID/PROCESS", "ROLE", "LOCAL → REMOTE", "METHOD", "TARGET", "STATUS", "LATENCY"));
        }

        var http = record as HttpRecord;
        output.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            Row,
            record.RequestTime.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
            Fit($"{record.Pid.ToString(CultureInfo.InvariantCulture)}/{record.ProcessName}", ProcessWidth),
            record.Role switch { ConnectionRole.Client => "client", ConnectionRole.Server => "server", _ => "?" },
            $"{Describe(record.LocalEndPoint)} → {Describe(record.RemoteEndPoint)}",
            http?.Method ?? (http is null ? record.Protocol : "?"),
            Fit(http is null ? string.Empty : http.Target ?? "?", TargetWidth),
            http?.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-",
            record.Latency is { } latency ? $"{latency.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture)} ms" : "-")
            + (record.DataLost ? " [data lost]" : string.Empty));
    }

    public void Flush() => output.Flush();

    public void Dispose() => output.Flush();

    private static string Describe(IPEndPoint? endPoint) => endPoint?.ToString() ?? "?";

    private static string Fit(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");
}
