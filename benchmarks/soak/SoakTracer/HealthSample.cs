using System.Globalization;

namespace Ebpf.ProtocolTracing.Soak;

/// <summary>
/// One row of the soak CSV: this process's memory (resident, managed heap in use, memory the GC has
/// committed, which tells managed growth from native) and descriptors, and the tracer's counters.
/// </summary>
internal sealed record HealthSample(TimeSpan Elapsed, long RssKiB, int FileDescriptors, long ManagedKiB, long GcCommittedKiB, long Records, long Http, long Redis, long Postgres, long DataLostRecords, TracerStatistics Statistics)
{
    public const string CsvHeader =
        "elapsed_s,rss_kib,fds,managed_kib,gc_committed_kib,records,http,redis,postgres,records_data_lost,kernel_events_sent,kernel_events_lost,records_dropped,gap_bytes,connections_tracked";

    public static HealthSample Take(TimeSpan elapsed, TracerStatistics statistics, RecordCounts counts) => new(
        elapsed,
        ReadRssKiB(),
        Directory.GetFileSystemEntries("/proc/self/fd").Length,
        GC.GetTotalMemory(forceFullCollection: false) / 1024,
        GC.GetGCMemoryInfo().TotalCommittedBytes / 1024,
        counts.Total,
        counts.Http,
        counts.Redis,
        counts.Postgres,
        counts.DataLost,
        statistics);

    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Elapsed.TotalSeconds:F0},{RssKiB},{FileDescriptors},{ManagedKiB},{GcCommittedKiB},{Records},{Http},{Redis},{Postgres},{DataLostRecords},{Statistics.KernelEventsSent},{Statistics.KernelEventsLost},{Statistics.RecordsDropped},{Statistics.GapBytes},{Statistics.ConnectionsTracked}");

    // VmRSS from /proc/self/status: what the kernel charges this process, managed heap and native (libbpf, mmapped buffers) alike.
    private static long ReadRssKiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }
}
