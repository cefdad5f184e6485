namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>The compiled BPF programs (native/bpf/build/trace.bpf.o), embedded in this assembly.</summary>
internal static class EmbeddedBpfObject
{
    public const string ResourceName = "Ebpf.ProtocolTracing.trace.bpf.o";

    /// <summary>The object's ELF bytes.</summary>
    /// <exception cref="ProtocolTracingException">This build has no embedded object.</exception>
    public static byte[] Read()
    {
        using var stream = typeof(EmbeddedBpfObject).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new ProtocolTracingException(
                $"This build of Ebpf.ProtocolTracing has no embedded BPF object (resource '{ResourceName}'). " +
                "Build it with `make -C native/bpf` (needs clang, llvm, bpftool and libbpf-dev) and rebuild the project, or use the published package.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
