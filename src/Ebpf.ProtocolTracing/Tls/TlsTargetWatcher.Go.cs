namespace Ebpf.ProtocolTracing.Tls;

/// <summary>Go programs: their executable is the TLS target (crypto/tls is linked in, usually statically).</summary>
internal sealed partial class TlsTargetWatcher
{
    /// <summary>Attaches the Go probes when <paramref name="elf"/> is a Go program using crypto/tls; logs once why one cannot be traced.</summary>
    private bool InspectGo(ElfFile elf, MappedFile file, string openPath)
    {
        if (GoTlsInspector.TryInspect(elf, file, openPath, out var target, out var reason))
        {
            return attacher.AttachGo(target!);
        }

        if (reason is not null)
        {
            TlsProbeAttacher.LogGoUnsupported(logger, file.Path, reason);
        }

        return false;
    }
}
