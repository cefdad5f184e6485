using System.Diagnostics;
using System.Globalization;
using Ebpf.ProtocolTracing.Interop;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// Finds the files whose TLS functions are probed and keeps finding them while tracing runs:
/// <list type="bullet">
/// <item>at start, the system's <c>libssl.so*</c> in the usual library directories and .NET's OpenSSL shim in
/// the installed shared frameworks (so programs that load them later — .NET dlopens both on first TLS
/// use — are covered from their first call), and every running process's libssl and shim mappings and
/// main executable;</item>
/// <item>every <see cref="ExecPollInterval"/>, the processes the <c>sched_process_exec</c> tracepoint
/// reported (their new executable may carry OpenSSL statically, like node);</item>
/// <item>every <see cref="RescanInterval"/>, every process's maps again, for libssl copies outside the
/// system directories loaded with dlopen after start.</item>
/// </list>
/// Each file (device, inode) is inspected and attached once, however many processes map it.
/// </summary>
internal sealed partial class TlsTargetWatcher : IDisposable
{
    /// <summary>How often the exec notifications are drained.</summary>
    public static readonly TimeSpan ExecPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How often all processes' maps are read again.</summary>
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(2);

    private static readonly string[] LibraryDirectories =
    [
        "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
        "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib", "/usr/local/lib64",
    ];

    private readonly TlsProbeAttacher attacher;
    private readonly BpfMap execMap;
    private readonly IReadOnlyCollection<int> processIds;
    private readonly ILogger logger;
    private readonly HashSet<(ulong Device, ulong Inode)> inspected = [];
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stopping = new();
    private Thread? thread;
    private int targetCount;

    /// <param name="attacher">Attaches the probes.</param>
    /// <param name="execMap">The <c>tls_exec</c> map the exec tracepoint fills.</param>
    /// <param name="processIds">When not empty, only these processes are scanned (the kernel traces only them).</param>
    /// <param name="logger">Reports attached files and failures.</param>
    public TlsTargetWatcher(TlsProbeAttacher attacher, BpfMap execMap, IReadOnlyCollection<int> processIds, ILogger logger)
    {
        this.attacher = attacher;
        this.execMap = execMap;
        this.processIds = processIds;
        this.logger = logger;
    }

    /// <summary>Files with TLS probes attached.</summary>
    public int TargetCount => Volatile.Read(ref targetCount);

    /// <summary>Attaches to what exists now (before returning), then follows new processes on a background thread.</summary>
    public void Start()
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var directory in LibraryDirectories)
        {
            ScanLibraryDirectory(directory, "libssl.so*");
        }

        foreach (var directory in DotNetFrameworkDirectories())
        {
            ScanLibraryDirectory(directory, OpenSslFunctions.DotNetShimFileName);
        }

        ScanProcesses();
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogInitialScan(logger, TargetCount, elapsedMs);
        thread = new Thread(Watch) { IsBackground = true, Name = "Protocol tracing TLS target watcher" };
        thread.Start();
    }

    /// <summary>Inspects the process <paramref name="pid"/> now (its libssl mappings and executable).</summary>
    public void ScanProcess(int pid)
    {
        var executable = ExecutablePath(pid);
        foreach (var file in ProcessMaps.ReadExecutableFiles(pid))
        {
            var name = Path.GetFileName(file.Path);
            if (file.Path == executable || IsOpenSslLibraryName(name) || name == OpenSslFunctions.DotNetShimFileName)
            {
                Inspect(file, pid);
            }
        }
    }

    /// <summary>Stops following processes. The probes stay until the attacher is disposed.</summary>
    public void Dispose()
    {
        stopping.Cancel();
        thread?.Join();
        stopping.Dispose();
    }

    /// <summary>libssl.so, libssl.so.3, libssl.so.1.1 … — not NSS's libssl3.so, whose API differs.</summary>
    internal static bool IsOpenSslLibraryName(string fileName)
        => fileName.StartsWith("libssl.so", StringComparison.Ordinal);

    private static string? ExecutablePath(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/exe").LinkTarget;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Watch()
    {
        var nextRescan = Stopwatch.GetTimestamp() + (long)(RescanInterval.TotalSeconds * Stopwatch.Frequency);
        while (!stopping.Token.WaitHandle.WaitOne(ExecPollInterval))
        {
            try
            {
                DrainExecNotifications();
                if (Stopwatch.GetTimestamp() >= nextRescan)
                {
                    ScanProcesses();
                    nextRescan = Stopwatch.GetTimestamp() + (long)(RescanInterval.TotalSeconds * Stopwatch.Frequency);
                }
            }
#pragma warning disable CA1031 // A failed scan must not end the watching; the next one retries.
            catch (Exception exception) when (exception is not OutOfMemoryException)
#pragma warning restore CA1031
            {
                LogScanFailed(logger, exception);
            }
        }
    }

    private void DrainExecNotifications()
    {
        // Collect first, then delete: deleting while walking a hash map can restart the walk.
        var pids = new List<uint>();
        var key = 0u;
        var first = true;
        while (pids.Count < 4096 && execMap.GetNextKey(key, first, out var next) == 0)
        {
            pids.Add(next);
            key = next;
            first = false;
        }

        foreach (var pid in pids)
        {
            execMap.Delete(pid);
            ScanProcess((int)pid);
        }
    }

    private void ScanProcesses()
    {
        if (processIds.Count > 0)
        {
            foreach (var pid in processIds)
            {
                ScanProcess(pid);
            }

            return;
        }

        foreach (var pid in ProcessMaps.ListProcesses())
        {
            ScanProcess(pid);
        }
    }

    /// <summary>
    /// The installed .NET shared frameworks (each version's directory holds its OpenSSL shim, loaded on a
    /// program's first TLS use) under the usual install roots, <c>DOTNET_ROOT</c> and this process's runtime.
    /// </summary>
    private static List<string> DotNetFrameworkDirectories()
    {
        var roots = new List<string> { "/usr/share/dotnet", "/usr/lib/dotnet", "/usr/lib64/dotnet", "/opt/dotnet" };
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } configured)
        {
            roots.Add(configured);
        }

        var directories = new List<string> { System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory() };
        foreach (var root in roots)
        {
            var shared = Path.Combine(root, "shared", "Microsoft.NETCore.App");
            try
            {
                directories.AddRange(Directory.GetDirectories(shared));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Not installed there.
            }
        }

        return directories;
    }

    private void ScanLibraryDirectory(string directory, string pattern)
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(directory, pattern);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var path in candidates)
        {
            if (FileIdentity.TryGet(path, out var file))
            {
                Inspect(file, pid: null);
            }
        }
    }

    private void Inspect(MappedFile file, int? pid)
    {
        lock (gate)
        {
            if (!inspected.Add(file.Identity))
            {
                return;
            }
        }

        // Another mount namespace (a container) sees the file at its own path: go through its root.
        var openPath = file.Path;
        if (pid is { } owner && !File.Exists(openPath))
        {
            openPath = $"/proc/{owner.ToString(CultureInfo.InvariantCulture)}/root{file.Path}";
        }

        using var elf = ElfFile.TryOpen(openPath);
        if (elf is null)
        {
            return;
        }

        var functions = OpenSslFunctions.Find(elf);
        var attached = functions.Count > 0 && attacher.Attach(new TlsProbeTarget(file, openPath, OpenSslProbePlacement.Place(elf, functions)));
        // A Go program carries its own TLS (crypto/tls) in the executable.
        attached |= pid is not null && InspectGo(elf, file, openPath);
        if (attached)
        {
            Interlocked.Increment(ref targetCount);
        }
    }

    [LoggerMessage(EventId = 42, Level = LogLevel.Debug, Message = "TLS probes on {TargetCount} files after the initial scan ({ElapsedMs:F0} ms)")]
    private static partial void LogInitialScan(ILogger logger, int targetCount, double elapsedMs);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "Looking for TLS libraries in new processes failed; retrying at the next scan")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
