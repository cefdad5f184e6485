namespace Ebpf.ProtocolTracing.Interop;

/// <summary>An attached program; disposing it detaches the program.</summary>
internal sealed class BpfLink : IDisposable
{
    private readonly BpfLinkHandle handle;

    internal BpfLink(BpfLinkHandle handle, string programName)
    {
        this.handle = handle;
        ProgramName = programName;
    }

    /// <summary>The attached program's name.</summary>
    public string ProgramName { get; }

    /// <summary>Detaches the program.</summary>
    public void Dispose() => handle.Dispose();
}
