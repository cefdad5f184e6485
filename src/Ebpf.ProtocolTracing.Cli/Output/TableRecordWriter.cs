using System.Globalization;
using System.Net;
using System.Text;

namespace Ebpf.ProtocolTracing.Cli.Output;

/// <summary>
/// One aligned line per record of any protocol: time, process, role, endpoints, protocol, operation,
/// resource, outcome, latency — from <see cref="ProtocolRecord"/>'s summary members.
/// </summary>
internal sealed class TableRecordWriter(TextWriter output) : IRecordWriter
{
    private static readonly CompositeFormat Row = CompositeFormat.Parse("{0,-12} {1,-22} {2,-6} {3,-47} {4,-9} {5,-10} {6,-40} {7,-10} {8,10}");
    private const int ProcessWidth = 22;
    private const int OperationWidth = 10;
    private const int ResourceWidth = 40;
    private const int OutcomeWidth = 10;
    private bool _headerWritten;

    public void Write(ProtocolRecord record)
    {
        if (!_headerWritten)
        {
            _headerWritten = true;
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, Row, "TIME", "PID/PROCESS", "ROLE", "LOCAL → REMOTE", "PROTOCOL", "OPERATION", "RESOURCE", "OUTCOME", "LATENCY"));
        }

        var flags = (record.Encrypted ? " [tls]" : string.Empty) + (record.DataLost ? " [data lost]" : string.Empty);
        output.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            Row,
            record.RequestTime.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
            Fit($"{record.Pid.ToString(CultureInfo.InvariantCulture)}/{record.ProcessName}", ProcessWidth),
            RecordText.Role(record.Role),
            $"{Describe(record.LocalEndPoint)} → {Describe(record.RemoteEndPoint)}",
            record.Protocol,
            Fit(record.Operation, OperationWidth),
            Fit(OneLine(record.Resource) ?? string.Empty, ResourceWidth),
            Fit(record.Outcome ?? "-", OutcomeWidth),
            record.Latency is { } latency ? $"{latency.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture)} ms" : "-")
            + flags);
    }

    public void Flush() => output.Flush();

    public void Dispose() => output.Flush();

    private static string Describe(IPEndPoint? endPoint) => endPoint?.ToString() ?? "?";

    private static string? OneLine(string? text) =>
        text is null || text.AsSpan().IndexOfAny('\r', '\n', '\t') < 0 ? text : text.Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ');

    private static string Fit(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");
}
