using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Metadata;

/// <summary>
/// Reads a process's command line, executable and cgroup from <c>/proc</c>, checking first that the pid
/// still belongs to the process the kernel event named (pids are reused).
/// </summary>
/// <remarks>A few small file reads per process; bounded by <see cref="MaxFileBytes"/>.</remarks>
internal class ProcessMetadataReader
{
    /// <summary>Bytes read at most from one <c>/proc</c> file: a longer command line is cut.</summary>
    public const int MaxFileBytes = 4096;

    // The kernel reports start times in USER_HZ ticks, which Linux fixes at 100 on every architecture.
    private const long NanosecondsPerClockTick = 10_000_000;

    // The event's start time (monotonic) and /proc's (boot time) agree to within a tick plus rounding.
    private const long StartTimeToleranceNs = 3 * NanosecondsPerClockTick;

    private readonly string _procRoot;

    /// <summary>Creates a reader of <paramref name="procRoot"/> (<c>/proc</c> outside tests).</summary>
    public ProcessMetadataReader(string procRoot = "/proc") => _procRoot = procRoot;

    /// <summary>Reads what is known about <paramref name="pid"/>, or <see cref="ProcessMetadata.None"/> when it is gone or reused.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="startTimeNs">The process start time from the kernel event (monotonic ns); 0 to skip the check.</param>
    public virtual ProcessMetadata Read(int pid, ulong startTimeNs)
    {
        var directory = Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture));
        if (startTimeNs != 0 && !IsSameProcess(directory, startTimeNs))
        {
            return ProcessMetadata.None;
        }

        var commandLine = ReadCommandLine(Path.Combine(directory, "cmdline"));
        var executable = ReadLink(Path.Combine(directory, "exe"));
        var cgroup = ReadSmallFile(Path.Combine(directory, "cgroup"));
        var container = cgroup is null ? null : CgroupContainerParser.ParseFile(cgroup);
        return commandLine is null && executable is null && container is null
            ? ProcessMetadata.None
            : new ProcessMetadata(commandLine, executable, container);
    }

    /// <summary>Whether a process with this pid exists now.</summary>
    public virtual bool Exists(int pid) => Directory.Exists(Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture)));

    private bool IsSameProcess(string directory, ulong startTimeNs)
    {
        var stat = ReadSmallFile(Path.Combine(directory, "stat"));
        var uptime = ReadSmallFile(Path.Combine(_procRoot, "uptime"));
        if (stat is null || uptime is null)
        {
            // Unreadable: the process is gone, or /proc is not what we think; say nothing rather than guess.
            return stat is not null;
        }

        if (!TryParseStartTicks(stat, out var startTicks) || !TryParseUptimeNs(uptime, out var bootNowNs))
        {
            return true;
        }

        // /proc counts from boot (suspend included), the event from the monotonic clock: shift by their difference now.
        var monotonicNowNs = (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));
        var suspendedNs = Math.Max(0, bootNowNs - monotonicNowNs);
        var procStartNs = (startTicks * NanosecondsPerClockTick) - suspendedNs;
        return Math.Abs(procStartNs - (long)startTimeNs) <= StartTimeToleranceNs + NanosecondsPerClockTick;
    }

    /// <summary>Field 22 of <c>/proc/&lt;pid&gt;/stat</c>, counted after the parenthesised name (which may hold spaces).</summary>
    internal static bool TryParseStartTicks(ReadOnlySpan<char> stat, out long startTicks)
    {
        startTicks = 0;
        var afterName = stat.LastIndexOf(')');
        if (afterName < 0)
        {
            return false;
        }

        // After ") " come fields 3, 4, …; start time is field 22, the 20th of them.
        var rest = stat[(afterName + 1)..].TrimStart(' ');
        var field = 3;
        foreach (var range in rest.Split(' '))
        {
            if (field == 22)
            {
                return long.TryParse(rest[range], NumberStyles.None, CultureInfo.InvariantCulture, out startTicks);
            }

            field++;
        }

        return false;
    }

    private static bool TryParseUptimeNs(ReadOnlySpan<char> uptime, out long nanoseconds)
    {
        nanoseconds = 0;
        var end = uptime.IndexOf(' ');
        if (end < 0 || !decimal.TryParse(uptime[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        nanoseconds = (long)(seconds * 1_000_000_000m);
        return true;
    }

    private static string? ReadCommandLine(string path)
    {
        var bytes = ReadBytes(path);
        if (bytes is null || bytes.Length == 0)
        {
            return null;
        }

        // Arguments are NUL-terminated; a trailing NUL ends the last one.
        var length = bytes.Length;
        while (length > 0 && bytes[length - 1] == 0)
        {
            length--;
        }

        // Programs take credentials as arguments (redis-cli -a, mysql -p…): hidden before any record sees them.
        return CommandLineRedactor.Redact(Encoding.UTF8.GetString(bytes, 0, length).Split('\0'));
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadSmallFile(string path)
    {
        var bytes = ReadBytes(path);
        return bytes is null ? null : Encoding.UTF8.GetString(bytes);
    }

    private static byte[]? ReadBytes(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            var buffer = new byte[MaxFileBytes];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = file.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            return buffer.AsSpan(0, total).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
