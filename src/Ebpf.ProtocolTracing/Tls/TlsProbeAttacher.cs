using Ebpf.ProtocolTracing.Interop;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// Attaches the TLS programs to files: an entry and a return probe per function, for every process
/// that maps the file (the kernel keeps uprobes per inode, so one attachment covers them all).
/// </summary>
internal sealed partial class TlsProbeAttacher : IDisposable
{
    private readonly Dictionary<string, BpfProgram> programs = new(StringComparer.Ordinal);
    private readonly List<BpfLink> links = [];
    private readonly ILogger logger;
    private readonly BpfMap? goBinaries;

    public TlsProbeAttacher(BpfObject bpfObject, ILogger logger)
    {
        this.logger = logger;
        goBinaries = bpfObject.TryFindMap(GoBinariesMapName);
        foreach (var program in bpfObject.GetPrograms())
        {
            programs[program.Name] = program;
        }

        foreach (var probe in OpenSslFunctions.Probes.Values)
        {
            EnsureProgram(probe.EntryProgram);
            if (probe.ReturnProgram is not null)
            {
                EnsureProgram(probe.ReturnProgram);
            }
        }
    }

    /// <summary>Probes attached now.</summary>
    public int LinkCount
    {
        get
        {
            lock (links)
            {
                return links.Count;
            }
        }
    }

    /// <summary>Attaches the probes of <paramref name="target"/>; false when none could be attached (the reason is logged).</summary>
    public bool Attach(TlsProbeTarget target)
    {
        var attached = 0;
        foreach (var site in target.Sites)
        {
            var probe = site.Probe;

            // The return probe first: an entry without its return would leave a stale call behind.
            if ((probe.ReturnProgram is null || TryAttach(programs[probe.ReturnProgram], target, site, returnProbe: true))
                && TryAttach(programs[probe.EntryProgram], target, site, returnProbe: false))
            {
                attached++;
            }
        }

        if (attached > 0)
        {
            LogAttached(logger, target.File.Path, attached);
        }

        return attached > 0;
    }

    /// <summary>Detaches every probe.</summary>
    public void Dispose()
    {
        lock (links)
        {
            foreach (var link in links)
            {
                link.Dispose();
            }

            links.Clear();
        }
    }

    private void EnsureProgram(string name)
    {
        if (!programs.ContainsKey(name))
        {
            throw new ProtocolTracingException($"The embedded BPF object has no program named '{name}': the library and its BPF object do not match; rebuild the package.");
        }
    }

    private bool TryAttach(BpfProgram program, TlsProbeTarget target, TlsProbeSite site, bool returnProbe)
    {
        using var warnings = LibBpfLog.CaptureWarnings();
        var errno = program.TryAttachUprobe(target.OpenPath, site.FileOffset, returnProbe, pid: -1, out var link);
        if (errno != 0)
        {
            LogAttachFailed(logger, site.Name, target.OpenPath, NativeError.Describe(errno), warnings.Tail(5));
            return false;
        }

        lock (links)
        {
            links.Add(link!);
        }

        return true;
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "TLS probes attached to {Path} ({SiteCount} probe sites)")]
    private static partial void LogAttached(ILogger logger, string path, int siteCount);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Could not attach a TLS probe to {Function} in {Path} ({Error}); its plaintext is not captured. {LibBpfLog}")]
    private static partial void LogAttachFailed(ILogger logger, string function, string path, string error, string libBpfLog);
}
