using System.Numerics;
using System.Text.RegularExpressions;
using Ebpf.ProtocolTracing.Interop;
using Ebpf.ProtocolTracing.Tls;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>
/// The loaded and attached BPF programs, their maps and the readers of their buffers. Disposing it
/// detaches everything and closes every fd it opened.
/// </summary>
internal sealed partial class KernelProbes : IConnectionControl, IDisposable
{
    private const string ObjectName = "trace";
    private const int ENOENT = 2;
    private const string TlsExecMapName = "tls_exec";

    private readonly object gate = new();
    private readonly KernelProbeSettings settings;
    private readonly ILogger logger;
    private readonly BpfObject bpfObject;
    private readonly List<BpfLink> links;
    private readonly List<IEventReader> readers = [];
    private readonly BpfMap disabledMap;
    private readonly BpfMap countersMap;
    private readonly byte[] perCpuCounterValues;
    private TlsProbeAttacher? tlsAttacher;
    private TlsTargetWatcher? tlsWatcher;
    private bool disposed;

    private KernelProbes(KernelProbeSettings settings, ILogger logger, BpfObject bpfObject, List<BpfLink> links)
    {
        this.settings = settings;
        this.logger = logger;
        this.bpfObject = bpfObject;
        this.links = links;
        disabledMap = bpfObject.FindMap(KernelMapNames.Disabled);
        countersMap = bpfObject.FindMap(KernelMapNames.Counters);
        // A per-CPU lookup returns one value per possible CPU, each padded to 8 bytes.
        var possibleCpus = LibBpf.NumPossibleCpus();
        if (possibleCpus <= 0)
        {
            throw new ProtocolTracingException(
                $"libbpf could not read the number of possible CPUs from /sys/devices/system/cpu/possible ({Interop.NativeError.Describe(-possibleCpus)}); mount sysfs at /sys.");
        }

        perCpuCounterValues = new byte[possibleCpus * 8];
    }

    /// <summary>How many programs are attached (tracepoints, and uprobes on TLS functions).</summary>
    public int AttachedProbeCount => links.Count + (tlsAttacher?.LinkCount ?? 0);

    /// <summary>Files (libraries, executables) whose TLS functions are probed; 0 when TLS tracing is off.</summary>
    public int TlsTargetCount => tlsWatcher?.TargetCount ?? 0;

    /// <summary>
    /// Checks the host, loads the embedded BPF object, configures it from <paramref name="settings"/> and
    /// attaches every program. Returns once the probes are attached.
    /// </summary>
    /// <exception cref="ProtocolTracingException">The host does not allow it; the message says what to do.</exception>
    public static KernelProbes Load(KernelProbeSettings settings, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        Validate(settings);

        LibBpf.EnsureAvailable();
        KernelPreflight.CheckPrivileges();
        KernelPreflight.CheckBtf();
        KernelPreflight.CheckKernelVersion();
        LibBpfLog.Install(logger);

        var bpfObject = BpfObject.Open(EmbeddedBpfObject.Read(), ObjectName);
        var links = new List<BpfLink>();
        try
        {
            var programs = bpfObject.GetPrograms();
            foreach (var program in programs)
            {
                if (program.SectionName.StartsWith("tracepoint/", StringComparison.Ordinal) || program.SectionName.StartsWith("tp/", StringComparison.Ordinal))
                {
                    KernelPreflight.EnsureTracefs(logger);
                    break;
                }
            }

            SizeMaps(bpfObject, settings);
            LoadIntoKernel(bpfObject);
            Configure(bpfObject, settings);
            AttachAll(programs, links);
            LogAttached(logger, links.Count, programs.Count, settings.Buffer);
            var probes = new KernelProbes(settings, logger, bpfObject, links);
            if (settings.TraceTls)
            {
                probes.StartTls();
            }

            return probes;
        }
        catch
        {
            DisposeAll(links);
            bpfObject.Dispose();
            throw;
        }
    }

    /// <summary>Inspects process <paramref name="pid"/> for TLS libraries now (e.g. after it loaded one with dlopen).</summary>
    public void RescanTlsTargets(int pid) => tlsWatcher?.ScanProcess(pid);

    private void StartTls()
    {
        try
        {
            tlsAttacher = new TlsProbeAttacher(bpfObject, logger);
            tlsWatcher = new TlsTargetWatcher(tlsAttacher, bpfObject.FindMap(TlsExecMapName), settings.ProcessIds, logger);
            tlsWatcher.Start();
        }
        catch
        {
            tlsWatcher?.Dispose();
            tlsAttacher?.Dispose();
            throw;
        }
    }

    /// <summary>Opens a reader of the configured buffer that dispatches to <paramref name="sink"/>. Disposed with the probes at the latest.</summary>
    public IEventReader CreateReader(IKernelEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            IEventReader reader = settings.Buffer == EventBufferKind.PerfBuffer
                ? PerfBufferReader.Create(bpfObject.FindMap(KernelMapNames.PerfEvents), settings.PerfBufferPagesPerCpu, sink)
                : RingBufferReader.Create(bpfObject.FindMap(KernelMapNames.RingBuffer), sink);
            readers.Add(reader);
            return reader;
        }
    }

    /// <summary>
    /// Stops the kernel from sending data events of <paramref name="id"/>'s socket bytes, or of its TLS
    /// plaintext when <paramref name="encrypted"/>. Does nothing once disposed.
    /// </summary>
    public void DisableConnection(ConnectionId id, bool encrypted = false)
    {
        if (Volatile.Read(ref disposed))
        {
            return;
        }

        var key = new KernelConnKey((uint)id.Pid, id.Fd, id.Generation);
        // Mirrors enum trace_disabled_stream; the other stream's bit, if set, is kept.
        const byte SocketStream = 1, TlsStream = 2;
        Span<byte> current = stackalloc byte[1];
        int errno;
        try
        {
            var given = disabledMap.Lookup(key, current) == 0 ? current[0] : (byte)0;
            errno = disabledMap.Update(key, (byte)(given | (encrypted ? TlsStream : SocketStream)));
        }
        catch (ObjectDisposedException)
        {
            // Disposed by another thread meanwhile: there is no kernel side left to tell.
            return;
        }

        if (errno != 0)
        {
            LogDisableFailed(logger, id, errno);
        }
    }

    /// <inheritdoc />
    void IConnectionControl.Disable(ConnectionId id, bool encrypted) => DisableConnection(id, encrypted);

    /// <summary>The kernel counters, summed over all CPUs. Zero once disposed.</summary>
    public KernelCounters ReadCounters()
    {
        lock (gate)
        {
            if (disposed)
            {
                return default;
            }

            return new KernelCounters(
                ReadCounter(KernelCounter.EventsSent),
                ReadCounter(KernelCounter.EventsLost),
                ReadCounter(KernelCounter.BytesLost),
                ReadCounter(KernelCounter.ConnectionsOpened),
                ReadCounter(KernelCounter.ConnectionTableFull));
        }
    }

    /// <summary>Frees the readers' buffers, detaches the programs and unloads the object.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            Volatile.Write(ref disposed, true);
            foreach (var reader in readers)
            {
                reader.Dispose();
            }

            readers.Clear();
            tlsWatcher?.Dispose();
            tlsAttacher?.Dispose();
            DisposeAll(links);
            bpfObject.Dispose();
        }
    }

    private ulong ReadCounter(KernelCounter counter)
    {
        var key = (uint)counter;
        if (countersMap.Lookup(key, perCpuCounterValues) != 0)
        {
            return 0;
        }

        ulong sum = 0;
        for (var offset = 0; offset < perCpuCounterValues.Length; offset += 8)
        {
            sum += BitConverter.ToUInt64(perCpuCounterValues, offset);
        }

        return sum;
    }

    private static void Validate(KernelProbeSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.ChunkLimit, 1, nameof(settings.ChunkLimit));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.ChunkLimit, KernelEventLayout.MaxChunk, nameof(settings.ChunkLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxChunks, 1, nameof(settings.MaxChunks));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.MaxChunks, KernelEventLayout.MaxChunksPerSyscall, nameof(settings.MaxChunks));
        if (settings.Buffer == EventBufferKind.RingBuffer
            && (settings.RingBufferBytes < Environment.SystemPageSize || !BitOperations.IsPow2(settings.RingBufferBytes)))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.RingBufferBytes,
                $"RingBufferBytes must be a power of two of at least the page size ({Environment.SystemPageSize}).");
        }

        if (settings.Buffer == EventBufferKind.PerfBuffer && (settings.PerfBufferPagesPerCpu < 1 || !BitOperations.IsPow2(settings.PerfBufferPagesPerCpu)))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.PerfBufferPagesPerCpu, "PerfBufferPagesPerCpu must be a power of two.");
        }

        foreach (var port in settings.ForcedPorts)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(port, 1, nameof(settings.ForcedPorts));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue, nameof(settings.ForcedPorts));
        }
    }

    private static void SizeMaps(BpfObject bpfObject, KernelProbeSettings settings)
    {
        // The programs reference both buffers, so both must exist; the unused one is kept as small as
        // the kernel allows (a ring buffer of one page).
        var ringBytes = settings.Buffer == EventBufferKind.RingBuffer ? settings.RingBufferBytes : Environment.SystemPageSize;
        SetMaxEntries(bpfObject.FindMap(KernelMapNames.RingBuffer), (uint)ringBytes);

        var pidFilter = bpfObject.FindMap(KernelMapNames.PidFilter);
        if (settings.ProcessIds.Count > pidFilter.MaxEntries)
        {
            SetMaxEntries(pidFilter, (uint)settings.ProcessIds.Count);
        }

        var forcedPorts = bpfObject.FindMap(KernelMapNames.ForcedPorts);
        if (settings.ForcedPorts.Count > forcedPorts.MaxEntries)
        {
            SetMaxEntries(forcedPorts, (uint)settings.ForcedPorts.Count);
        }
    }

    private static void SetMaxEntries(BpfMap map, uint maxEntries)
    {
        var errno = map.SetMaxEntries(maxEntries);
        if (errno != 0)
        {
            throw new ProtocolTracingException($"libbpf refused to size map '{map.Name}' to {maxEntries} ({NativeError.Describe(errno)}).");
        }
    }

    private static void LoadIntoKernel(BpfObject bpfObject)
    {
        using var warnings = LibBpfLog.CaptureWarnings();
        var errno = bpfObject.Load();
        if (errno == 0)
        {
            return;
        }

        var log = warnings.ToString();
        var program = ProgramNamePattern().Match(log) is { Success: true } match ? match.Groups[1].Value : null;
        var hint = errno is 1 or 13 /* EPERM, EACCES */ && program is null
            ? "The kernel denied it: run as root or with CAP_BPF and CAP_PERFMON; a lockdown=confidentiality kernel or a seccomp profile that blocks bpf() also refuse it."
            : "The kernel's verifier or BPF support differs from what the programs need; the libbpf log (above, and its tail here) says where.";
        throw new ProtocolTracingException(
            (program is null
                ? $"The kernel refused to load the BPF object ({NativeError.Describe(errno)}). "
                : $"The kernel refused to load BPF program '{program}' ({NativeError.Describe(errno)}). ")
            + hint + Environment.NewLine + warnings.Tail(25));
    }

    private static void Configure(BpfObject bpfObject, KernelProbeSettings settings)
    {
        const byte Present = 1;
        var pidFilter = bpfObject.FindMap(KernelMapNames.PidFilter);
        foreach (var pid in settings.ProcessIds)
        {
            Write(pidFilter, (uint)pid, Present);
        }

        var forcedPorts = bpfObject.FindMap(KernelMapNames.ForcedPorts);
        foreach (var port in settings.ForcedPorts)
        {
            Write(forcedPorts, (ushort)port, Present);
        }

        var config = new TraceConfig
        {
            SelfTgid = (uint)(settings.ExcludedTgid ?? 0),
            FilterByPid = settings.ProcessIds.Count > 0 ? 1u : 0u,
            ChunkLimit = (uint)settings.ChunkLimit,
            MaxChunks = (uint)settings.MaxChunks,
            EnabledProtocols = settings.EnabledProtocolsMask,
            UsePerfBuffer = settings.Buffer == EventBufferKind.PerfBuffer ? 1u : 0u,
            CaptureAll = settings.CaptureAll ? 1u : 0u,
        };
        Write(bpfObject.FindMap(KernelMapNames.Config), 0u, config);
    }

    private static void Write<TKey, TValue>(BpfMap map, TKey key, TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        var errno = map.Update(key, value);
        if (errno != 0)
        {
            throw new ProtocolTracingException($"Could not write the BPF map '{map.Name}' ({NativeError.Describe(errno)}).");
        }
    }

    private static void AttachAll(IReadOnlyList<BpfProgram> programs, List<BpfLink> links)
    {
        foreach (var program in programs)
        {
            if (program.NeedsExplicitTarget || program.IsTailCallTarget)
            {
                continue;
            }

            using var warnings = LibBpfLog.CaptureWarnings();
            var errno = program.TryAttach(out var link);
            if (errno != 0)
            {
                throw new ProtocolTracingException(
                    $"Could not attach BPF program '{program.Name}' at '{program.SectionName}' ({NativeError.Describe(errno)}). " +
                    AttachHint(errno) + Environment.NewLine + warnings.Tail(10));
            }

            links.Add(link!);
        }
    }

    private static string AttachHint(int errno) => errno switch
    {
        ENOENT => "This kernel does not have that hook (tracepoints need tracefs mounted at /sys/kernel/tracing; the sys_exit program needs the kernel's BTF, CONFIG_DEBUG_INFO_BTF=y).",
        1 or 13 => "Attaching needs CAP_PERFMON (or root); run as root or grant it: setcap cap_bpf,cap_perfmon+ep <program>.",
        95 => "This kernel does not support this kind of probe.",
        _ => "The libbpf log says more.",
    };

    private static void DisposeAll(List<BpfLink> links)
    {
        foreach (var link in links)
        {
            link.Dispose();
        }

        links.Clear();
    }

    [GeneratedRegex(@"prog '([^']+)'")]
    private static partial Regex ProgramNamePattern();

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Attached {AttachedCount} kernel probes ({ProgramCount} BPF programs, events through the {Buffer})")]
    private static partial void LogAttached(ILogger logger, int attachedCount, int programCount, EventBufferKind buffer);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Could not tell the kernel to stop sending connection {Connection}: errno {Errno}")]
    private static partial void LogDisableFailed(ILogger logger, ConnectionId connection, int errno);
}
