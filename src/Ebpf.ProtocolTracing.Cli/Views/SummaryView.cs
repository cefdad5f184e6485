using System.Globalization;
using System.Text.Json;
using Ebpf.ProtocolTracing.Cli.Summary;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ebpf.ProtocolTracing.Cli.Views;

/// <summary>
/// <c>--summary</c>: per endpoint, requests/s, error rate and p50/p99 latency over a rolling window.
/// Live in a terminal; otherwise printed once per window (as text or JSON lines) and at the end.
/// </summary>
internal sealed class SummaryView : TraceView
{
    private static readonly TimeSpan LiveRefresh = TimeSpan.FromSeconds(1);

    private readonly EndpointSummarizer _summarizer = new();
    private readonly SummaryOutput _output;
    private readonly IAnsiConsole? _console;
    private readonly TextWriter _text;
    private readonly bool _timedByRecords;
    private long _nextPrintSecond = long.MinValue;

    /// <param name="output">How to show the summary.</param>
    /// <param name="console">The terminal, for <see cref="SummaryOutput.Live"/>.</param>
    /// <param name="text">Where text and JSON go.</param>
    /// <param name="timedByRecords">
    /// Whether time is the records' own (a replay): windows then close as record times pass them, not by the clock.
    /// </param>
    public SummaryView(SummaryOutput output, IAnsiConsole? console, TextWriter text, bool timedByRecords)
    {
        _output = output;
        _console = console;
        _text = text;
        _timedByRecords = timedByRecords;
    }

    public override void Add(ProtocolRecord record)
    {
        if (_timedByRecords && _output != SummaryOutput.Live)
        {
            var second = record.RequestTime.ToUnixTimeSeconds();
            if (_nextPrintSecond == long.MinValue)
                _nextPrintSecond = second + _summarizer.WindowSeconds;
            else if (second >= _nextPrintSecond)
            {
                Print(DateTimeOffset.FromUnixTimeSeconds(_nextPrintSecond - 1));
                _nextPrintSecond = second + _summarizer.WindowSeconds;
            }
        }

        _summarizer.Add(record);
    }

    public override async Task RunAsync(Func<TracerStatistics> statistics, CancellationToken stop)
    {
        if (_timedByRecords)
            return;

        if (_output == SummaryOutput.Live)
        {
            await _console!.Live(RenderLive(statistics())).AutoClear(false).StartAsync(async context =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await Delay(LiveRefresh, stop).ConfigureAwait(false);
                    context.UpdateTarget(RenderLive(statistics()));
                    context.Refresh();
                }
            }).ConfigureAwait(false);
            return;
        }

        var interval = TimeSpan.FromSeconds(_summarizer.WindowSeconds);
        while (!stop.IsCancellationRequested)
        {
            await Delay(interval, stop).ConfigureAwait(false);
            if (!stop.IsCancellationRequested)
                Print(DateTimeOffset.UtcNow);
        }
    }

    public override void Finish(TracerStatistics statistics)
    {
        if (_output != SummaryOutput.Live)
            Print(_timedByRecords ? _summarizer.Latest : DateTimeOffset.UtcNow);
    }

    private void Print(DateTimeOffset now)
    {
        var rows = _summarizer.Snapshot(now);
        if (_output == SummaryOutput.Json)
            PrintJson(now, rows);
        else
            PrintText(now, rows);
        _text.Flush();
    }

    private void PrintText(DateTimeOffset now, IReadOnlyList<EndpointSummary> rows)
    {
        _text.WriteLine(string.Create(CultureInfo.InvariantCulture, $"— {now.ToLocalTime():HH:mm:ss} last {_summarizer.WindowSeconds} s, {rows.Count} endpoints —"));
        _text.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"PROTOCOL",-9} {"SERVER",-22} {"OPERATION",-10} {"RESOURCE",-40} {"REQ/S",8} {"ERRORS",7} {"P50",12} {"P99",12}"));
        foreach (var row in rows)
        {
            _text.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{row.Protocol,-9} {row.Server,-22} {Fit(row.Operation, 10),-10} {Fit(row.Resource, 40),-40} {row.RequestsPerSecond,8:0.0} {row.ErrorRate,7:0.0%} {EndpointSummarizer.FormatLatency(row.P50),12} {EndpointSummarizer.FormatLatency(row.P99),12}"));
        }
    }

    private void PrintJson(DateTimeOffset now, IReadOnlyList<EndpointSummary> rows)
    {
        using var buffer = new MemoryStream();
        foreach (var row in rows)
        {
            buffer.SetLength(0);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("time", now);
                json.WriteNumber("windowSeconds", _summarizer.WindowSeconds);
                json.WriteString("protocol", row.Protocol);
                json.WriteString("server", row.Server);
                json.WriteString("operation", row.Operation);
                json.WriteString("resource", row.Resource);
                json.WriteNumber("requests", row.Requests);
                json.WriteNumber("requestsPerSecond", row.RequestsPerSecond);
                json.WriteNumber("errorRate", row.ErrorRate);
                WriteMilliseconds(json, "p50Ms", row.P50);
                WriteMilliseconds(json, "p99Ms", row.P99);
                json.WriteEndObject();
            }

            _text.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
    }

    private Rows RenderLive(TracerStatistics statistics)
    {
        var rows = _summarizer.Snapshot(DateTimeOffset.UtcNow);
        var table = new Table()
            .Border(TableBorder.Simple)
            .Title(new TableTitle(string.Create(CultureInfo.InvariantCulture, $"endpoints — last {_summarizer.WindowSeconds} s"), new Style(decoration: Decoration.Bold)))
            .AddColumns("PROTOCOL", "SERVER", "OPERATION", "RESOURCE", "REQ/S", "ERRORS", "P50", "P99");
        for (var i = 4; i < 8; i++)
            table.Columns[i].RightAligned();
        foreach (var row in rows)
        {
            table.AddRow(
                new Text(row.Protocol),
                new Text(row.Server),
                new Text(row.Operation),
                new Text(row.Resource) { Overflow = Overflow.Ellipsis },
                new Text(row.RequestsPerSecond.ToString("0.0", CultureInfo.InvariantCulture)),
                new Text(row.ErrorRate.ToString("0.0%", CultureInfo.InvariantCulture), row.ErrorRate > 0 ? new Style(Color.Red) : Style.Plain),
                new Text(EndpointSummarizer.FormatLatency(row.P50)),
                new Text(EndpointSummarizer.FormatLatency(row.P99)));
        }

        return new Rows(table, new Text(StatusLine.Describe(statistics), new Style(decoration: Decoration.Dim)));
    }

    private static void WriteMilliseconds(Utf8JsonWriter json, string name, TimeSpan? value)
    {
        if (value is { } latency)
            json.WriteNumber(name, Math.Round(latency.TotalMilliseconds, 3));
        else
            json.WriteNull(name);
    }

    private static async Task Delay(TimeSpan interval, CancellationToken stop)
    {
        try
        {
            await Task.Delay(interval, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The run is over; the caller draws once more.
        }
    }

    private static string Fit(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");
}

/// <summary>Where <c>--summary</c> goes.</summary>
internal enum SummaryOutput
{
    /// <summary>A refreshing table in the terminal.</summary>
    Live,

    /// <summary>A text table per window.</summary>
    Text,

    /// <summary>One JSON object per endpoint per window.</summary>
    Json,
}
