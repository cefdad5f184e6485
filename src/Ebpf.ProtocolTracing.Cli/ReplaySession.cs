using Ebpf.ProtocolTracing.Cli.Views;

namespace Ebpf.ProtocolTracing.Cli;

/// <summary>
/// <c>protocol-trace replay &lt;file&gt;</c>: a recording made with <c>--record</c> run through the same
/// tracking and parsers, offline, without root.
/// </summary>
internal static class ReplaySession
{
    private const string Name = "protocol-trace replay";

    public static async Task<int> RunAsync(string path, TraceSettings settings, CancellationToken cancellationToken)
    {
        using var view = TraceViews.Create(settings, replay: true);
        ulong records = 0;
        try
        {
            await foreach (var record in ProtocolReplay.ReadRecordsAsync(path, settings.CreateParsers(), settings.ToTracingOptions(), cancellationToken).ConfigureAwait(false))
            {
                records++;
                TraceSession.Show(view, settings, record);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: show what was replayed so far.
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            view.Finish(new TracerStatistics { RecordsProduced = records });
            await Console.Error.WriteLineAsync($"{Name}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        var statistics = new TracerStatistics { RecordsProduced = records };
        view.Finish(statistics);
        await Console.Error.WriteLineAsync($"{Name}: {records} records from {path}").ConfigureAwait(false);
        return 0;
    }
}
