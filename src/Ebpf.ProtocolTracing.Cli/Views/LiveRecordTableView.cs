using System.Globalization;
using Ebpf.ProtocolTracing.Cli.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ebpf.ProtocolTracing.Cli.Views;

/// <summary>
/// A refreshing terminal view: one table per protocol with its latest records, and a status line with
/// the tracer's counters. Holds at most <see cref="RowsPerProtocol"/> records for each of at most
/// <see cref="MaxProtocols"/> protocols.
/// </summary>
internal sealed class LiveRecordTableView(IAnsiConsole console) : TraceView
{
    private const int RowsPerProtocol = 8;
    private const int MaxProtocols = 16;
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private readonly SortedDictionary<string, Queue<ProtocolRecord>> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public override void Add(ProtocolRecord record)
    {
        lock (_lock)
        {
            if (!_latest.TryGetValue(record.Protocol, out var rows))
            {
                if (_latest.Count >= MaxProtocols)
                    return;
                rows = new Queue<ProtocolRecord>(RowsPerProtocol);
                _latest.Add(record.Protocol, rows);
            }

            if (rows.Count == RowsPerProtocol)
                rows.Dequeue();
            rows.Enqueue(record);
            _counts[record.Protocol] = _counts.GetValueOrDefault(record.Protocol) + 1;
        }
    }

    public override async Task RunAsync(Func<TracerStatistics> statistics, CancellationToken stop)
    {
        await console.Live(Render(statistics()))
            .AutoClear(false)
            .StartAsync(async context =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(RefreshInterval, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Fall through to the last redraw.
                    }

                    context.UpdateTarget(Render(statistics()));
                    context.Refresh();
                }
            }).ConfigureAwait(false);
    }

    private Rows Render(TracerStatistics statistics)
    {
        var parts = new List<IRenderable>();
        lock (_lock)
        {
            foreach (var (protocol, records) in _latest)
                parts.Add(RenderProtocol(protocol, _counts[protocol], records));
        }

        if (parts.Count == 0)
            parts.Add(new Text("waiting for the first record…", new Style(decoration: Decoration.Dim)));
        parts.Add(new Text(StatusLine.Describe(statistics), new Style(decoration: Decoration.Dim)));
        return new Rows(parts);
    }

    private static Table RenderProtocol(string protocol, long count, Queue<ProtocolRecord> records)
    {
        var table = new Table()
            .Border(TableBorder.Simple)
            .Title(new TableTitle($"{protocol} — {count.ToString(CultureInfo.InvariantCulture)} records", new Style(decoration: Decoration.Bold)))
            .AddColumns("TIME", "PID/PROCESS", "ROLE", "LOCAL → REMOTE", "OPERATION", "RESOURCE", "OUTCOME", "LATENCY");
        table.Columns[7].RightAligned();
        foreach (var record in records)
        {
            var style = record.IsError ? new Style(Color.Red) : Style.Plain;
            table.AddRow(
                new Text(record.RequestTime.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)),
                new Text($"{record.Pid.ToString(CultureInfo.InvariantCulture)}/{record.ProcessName}"),
                new Text(RecordText.Role(record.Role)),
                new Text($"{record.LocalEndPoint?.ToString() ?? "?"} → {record.RemoteEndPoint?.ToString() ?? "?"}"),
                new Text(record.Operation),
                new Text(OneLine(record.Resource)) { Overflow = Overflow.Ellipsis },
                new Text(record.Outcome ?? "-", style),
                new Text(record.Latency is { } latency ? latency.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture) + " ms" : "-"));
        }

        return table;
    }

    private static string OneLine(string? text) =>
        text is null ? string.Empty : text.Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ');
}
