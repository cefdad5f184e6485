using System.Runtime.InteropServices;
using System.Text;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>A BPF ELF object: opened from memory, configured, then loaded into the kernel.</summary>
internal sealed unsafe class BpfObject : IDisposable
{
    private BpfObject(BpfObjectHandle handle) => Handle = handle;

    /// <summary>The native object; its maps and programs are valid while it is open.</summary>
    public BpfObjectHandle Handle { get; }

    /// <summary>Opens (parses, does not load) the ELF object in <paramref name="elf"/>, named <paramref name="name"/> in the kernel.</summary>
    /// <exception cref="ProtocolTracingException">libbpf refused the object.</exception>
    public static BpfObject Open(ReadOnlySpan<byte> elf, string name)
    {
        // libbpf reads the image in place until load, so it gets a native copy that lives with the object.
        var image = NativeMemory.Alloc((nuint)elf.Length);
        elf.CopyTo(new Span<byte>(image, elf.Length));
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        nint obj;
        fixed (byte* namePointer = nameBytes)
        {
            var options = new LibBpf.ObjectOpenOptions { Size = (nuint)sizeof(LibBpf.ObjectOpenOptions), ObjectName = namePointer };
            obj = LibBpf.ObjectOpenMem(image, (nuint)elf.Length, &options);
        }

        if (obj == nint.Zero)
        {
            var errno = Marshal.GetLastPInvokeError();
            NativeMemory.Free(image);
            throw new ProtocolTracingException(
                $"libbpf could not open the embedded BPF object '{name}' ({NativeError.Describe(errno)}); the libbpf log above says why. " +
                "The object may be damaged or newer than this libbpf: install libbpf 1.0 or later.");
        }

        return new BpfObject(new BpfObjectHandle(obj, image));
    }

    /// <summary>The map named <paramref name="name"/>, or <see langword="null"/> when the object has none.</summary>
    public BpfMap? TryFindMap(string name)
    {
        var map = LibBpf.ObjectFindMapByName(Handle, name);
        return map == nint.Zero ? null : new BpfMap(this, map, name);
    }

    /// <summary>The map named <paramref name="name"/>.</summary>
    /// <exception cref="ProtocolTracingException">The object has no such map.</exception>
    public BpfMap FindMap(string name)
        => TryFindMap(name) ?? throw new ProtocolTracingException(
            $"The embedded BPF object has no map named '{name}': the library and its BPF object do not match; rebuild the package.");

    /// <summary>The object's programs, in ELF order.</summary>
    public IReadOnlyList<BpfProgram> GetPrograms()
    {
        var programs = new List<BpfProgram>();
        var program = LibBpf.ObjectNextProgram(Handle, nint.Zero);
        while (program != nint.Zero)
        {
            programs.Add(new BpfProgram(this, program));
            program = LibBpf.ObjectNextProgram(Handle, program);
        }

        return programs;
    }

    /// <summary>Creates the maps and loads every program into the kernel (the verifier runs here).</summary>
    /// <returns>0, or the errno of the failure.</returns>
    public int Load()
    {
        var result = LibBpf.ObjectLoad(Handle);
        return result == 0 ? 0 : NativeError.FromResult(result);
    }

    /// <summary>Unloads the programs and closes the maps (links must be destroyed first to detach).</summary>
    public void Dispose() => Handle.Dispose();
}
