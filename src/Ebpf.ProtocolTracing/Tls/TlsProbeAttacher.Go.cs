using Ebpf.ProtocolTracing.Interop;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>Go's crypto/tls: entry probes on Read/Write, plain uprobes on each of their RET instructions.</summary>
internal sealed partial class TlsProbeAttacher
{
    /// <summary>The kernel map of per-executable Go details (<c>native/bpf/include/tls_go.h</c>).</summary>
    public const string GoBinariesMapName = "go_tls_binaries";

    private const string GoWriteEntryProgram = "go_tls_write_enter";
    private const string GoReadEntryProgram = "go_tls_read_enter";
    private const string GoReturnProgram = "go_tls_return";

    /// <summary>
    /// Attaches the Go probes of <paramref name="target"/> after telling the kernel its layout; false when
    /// none could be attached (the reason is logged). The BPF object built for another architecture than
    /// x86-64 has no Go programs: that is logged once per binary too.
    /// </summary>
    public bool AttachGo(GoTlsTarget target)
    {
        if (goBinaries is null || !programs.TryGetValue(GoReturnProgram, out var returnProgram)
            || !programs.TryGetValue(GoWriteEntryProgram, out var writeEntry) || !programs.TryGetValue(GoReadEntryProgram, out var readEntry))
        {
            LogGoUnsupported(logger, target.File.Path, "the BPF object has no Go programs (they exist for x86-64 only)");
            return false;
        }

        var entry = GoTlsBinaryEntry.From(target);
        var errno = goBinaries.Update(target.File.Inode, entry);
        if (errno != 0)
        {
            LogGoUnsupported(logger, target.File.Path, $"its details could not be stored in {GoBinariesMapName} ({NativeError.Describe(errno)})");
            return false;
        }

        // Returns before entries: an entry without its returns would leave a stale call behind.
        var attached = 0;
        var probedReturns = 0;
        foreach (var (function, entryProgram, probes) in new[]
                 {
                     (target.Write, writeEntry, target.WriteProbes),
                     (target.Read, readEntry, target.ReadProbes),
                 })
        {
            // Write's plaintext goes up at its entry when that sits on the stack check's jump: its RETs need no probe.
            var allReturns = true;
            var returns = function == target.Write && probes.EntryOnStackCheckJump ? [] : probes.Returns;
            probedReturns += returns.Count;
            foreach (var offset in returns)
            {
                allReturns &= TryAttachAt(returnProgram, target.OpenPath, function.Name, offset);
            }

            if (allReturns && TryAttachAt(entryProgram, target.OpenPath, function.Name, function.FileOffset + probes.EntryOffset))
            {
                attached++;
            }
        }

        if (attached > 0)
        {
            LogGoAttached(logger, target.File.Path, target.GoVersion, probedReturns, target.Layout.Source);
        }

        return attached > 0;
    }

    private bool TryAttachAt(BpfProgram program, string path, string function, long fileOffset)
    {
        using var warnings = LibBpfLog.CaptureWarnings();
        var errno = program.TryAttachUprobe(path, fileOffset, returnProbe: false, pid: -1, out var link);
        if (errno != 0)
        {
            LogAttachFailed(logger, function, path, NativeError.Describe(errno), warnings.Tail(5));
            return false;
        }

        lock (links)
        {
            links.Add(link!);
        }

        return true;
    }

    [LoggerMessage(EventId = 44, Level = LogLevel.Information, Message = "Go TLS probes attached to {Path} ({GoVersion}, {ReturnCount} return points probed, struct offsets from {LayoutSource})")]
    private static partial void LogGoAttached(ILogger logger, string path, string goVersion, int returnCount, string layoutSource);

    [LoggerMessage(EventId = 45, Level = LogLevel.Warning, Message = "The Go program {Path} is not traced for TLS plaintext: {Reason}")]
    internal static partial void LogGoUnsupported(ILogger logger, string path, string reason);
}
