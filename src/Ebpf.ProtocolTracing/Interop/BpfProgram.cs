using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>One program of a <see cref="BpfObject"/>; valid while the object is open.</summary>
internal sealed unsafe class BpfProgram
{
    private readonly BpfObject owner;
    private readonly nint program;

    internal BpfProgram(BpfObject owner, nint program)
    {
        this.owner = owner;
        this.program = program;
        Name = Marshal.PtrToStringUTF8((nint)LibBpf.ProgramName(program)) ?? string.Empty;
        SectionName = Marshal.PtrToStringUTF8((nint)LibBpf.ProgramSectionName(program)) ?? string.Empty;
    }

    /// <summary>The program's function name.</summary>
    public string Name { get; }

    /// <summary>The ELF section, which says where the program attaches (e.g. <c>tracepoint/syscalls/sys_enter_read</c>).</summary>
    public string SectionName { get; }

    /// <summary>
    /// A program whose section names no target (bare <c>uprobe</c>, <c>uretprobe</c>, <c>usdt</c>): it is
    /// attached later, to a specific binary, not by <see cref="TryAttach"/>.
    /// </summary>
    public bool NeedsExplicitTarget
        => SectionName is "uprobe" or "uretprobe" or "uprobe.s" or "uretprobe.s" or "usdt" or "uprobe.multi" or "uretprobe.multi";

    /// <summary>
    /// A program that only runs when another tail-calls it (a syscall handler the <c>sys_exit</c>
    /// dispatcher reaches through its table): by convention its name starts with <c>tail_</c>, and it
    /// is never attached itself.
    /// </summary>
    public bool IsTailCallTarget => Name.StartsWith("tail_", StringComparison.Ordinal);

    /// <summary>Attaches the program where its section says.</summary>
    /// <param name="link">The attachment; dispose it to detach.</param>
    /// <returns>0, or the errno of the failure.</returns>
    public int TryAttach(out BpfLink? link)
    {
        var added = false;
        owner.Handle.DangerousAddRef(ref added);
        try
        {
            var native = LibBpf.ProgramAttach(program);
            if (native == nint.Zero)
            {
                link = null;
                return Marshal.GetLastPInvokeError();
            }

            link = new BpfLink(new BpfLinkHandle(native), Name);
            return 0;
        }
        finally
        {
            if (added)
            {
                owner.Handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Attaches the program as a uprobe (or uretprobe) at <paramref name="fileOffset"/> of
    /// <paramref name="binaryPath"/>, for every process that maps that file (<paramref name="pid"/> -1) or one process.
    /// </summary>
    /// <returns>0, or the errno of the failure.</returns>
    public int TryAttachUprobe(string binaryPath, long fileOffset, bool returnProbe, int pid, out BpfLink? link)
    {
        var added = false;
        owner.Handle.DangerousAddRef(ref added);
        try
        {
            var options = new LibBpf.UprobeOptions { Size = (nuint)sizeof(LibBpf.UprobeOptions), Retprobe = returnProbe };
            var native = LibBpf.ProgramAttachUprobeOptions(program, pid, binaryPath, (nuint)fileOffset, &options);
            if (native == nint.Zero)
            {
                link = null;
                return Marshal.GetLastPInvokeError();
            }

            link = new BpfLink(new BpfLinkHandle(native), Name);
            return 0;
        }
        finally
        {
            if (added)
            {
                owner.Handle.DangerousRelease();
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({SectionName})";
}
