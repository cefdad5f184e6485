using Ebpf.ProtocolTracing.Cli.Output;
using Spectre.Console;

namespace Ebpf.ProtocolTracing.Cli.Views;

/// <summary>Picks the view the settings and the terminal call for.</summary>
internal static class TraceViews
{
    /// <param name="settings">The command line.</param>
    /// <param name="replay">A replay: no live redraws, time is the records' own.</param>
    public static TraceView Create(TraceSettings settings, bool replay)
    {
        // A live view needs a terminal; pipes and files get lines they can process.
        var interactive = !replay && !settings.Plain && !settings.Json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (settings.Summary)
        {
            var output = settings.Json ? SummaryOutput.Json : interactive ? SummaryOutput.Live : SummaryOutput.Text;
            return new SummaryView(output, interactive ? AnsiConsole.Console : null, Console.Out, timedByRecords: replay);
        }

        if (interactive)
            return new LiveRecordTableView(AnsiConsole.Console);

        return new WriterView(settings.Json ? new JsonRecordWriter(Console.OpenStandardOutput()) : new TableRecordWriter(Console.Out));
    }
}
