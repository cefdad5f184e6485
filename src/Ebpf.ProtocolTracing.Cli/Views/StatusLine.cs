using System.Globalization;

namespace Ebpf.ProtocolTracing.Cli.Views;

/// <summary>The one-line account of what the run read, lost, produced and dropped.</summary>
internal static class StatusLine
{
    public static string Describe(TracerStatistics s) => string.Create(
        CultureInfo.InvariantCulture,
        $"{s.EventsRead} events read, {s.KernelEventsLost} lost in the kernel; {s.RecordsProduced} records, {s.RecordsDropped} dropped; {s.GapBytes} gap bytes; {s.ParseFailures} parse failures");
}
