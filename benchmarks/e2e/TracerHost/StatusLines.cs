using System.Globalization;
using Ebpf.ProtocolTracing;

namespace Ebpf.ProtocolTracing.E2e;

/// <summary>The host's status lines: periodic while tracing, and the final counters.</summary>
internal static class StatusLines
{
    public static async Task RunAsync(ProtocolTracer tracer, ConsumedCounts counts, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                await Console.Error.WriteLineAsync(Status(tracer.GetStatistics(), counts)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // SIGTERM.
        }
    }

    public static string Status(TracerStatistics s, ConsumedCounts counts) => string.Create(
        CultureInfo.InvariantCulture,
        $"status: {s.ConnectionsTracked} connections tracked, {s.EventsRead} events read, {s.KernelEventsLost} lost, {counts.Records} records consumed, {s.RecordsDropped} dropped, rss {Environment.WorkingSet / 1024} KiB, managed heap {GC.GetTotalMemory(false) / 1024} KiB, gc committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1024} KiB, {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections");

    // The first part is worded like the CLI's last line so one parser reads both.
    public static string Final(TracerStatistics s, ConsumedCounts counts) => string.Create(
        CultureInfo.InvariantCulture,
        $"tracer-host: {s.EventsRead} events read, {s.KernelEventsLost} lost in the kernel ({s.KernelBytesLost} bytes); {s.RecordsProduced} records, {s.RecordsDropped} dropped; {s.GapBytes} gap bytes, {s.ResyncSkippedBytes} skipped resyncing; {s.ParseFailures} parse failures; {counts.Records} records and {counts.ConnectionStats} connection statistics consumed, {s.ConnectionStatsDropped} connection statistics dropped, {s.BytesDroppedOverMemoryCap} bytes over memory caps");
}
