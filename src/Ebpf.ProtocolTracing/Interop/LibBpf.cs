using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>
/// Every call into libbpf. libbpf 1.x reports failures as a negative errno return value, or as
/// <c>NULL</c> with <c>errno</c> set (read with <see cref="Marshal.GetLastPInvokeError"/>).
/// </summary>
internal static unsafe partial class LibBpf
{
    public const string LibraryName = "libbpf.so.1";

    private static readonly Lazy<string?> LoadFailure = new(FindLoadFailure);

    /// <summary>Throws a <see cref="ProtocolTracingException"/> that says how to install libbpf when it cannot be loaded.</summary>
    public static void EnsureAvailable()
    {
        if (LoadFailure.Value is { } failure)
        {
            throw new ProtocolTracingException(failure);
        }
    }

    private static string? FindLoadFailure()
    {
        if (NativeLibrary.TryLoad(LibraryName, typeof(LibBpf).Assembly, null, out _))
        {
            return null;
        }

        return $"{LibraryName} was not found: install it with `apt-get install libbpf1` (Debian/Ubuntu) or your distribution's libbpf package (version 1.0 or later).";
    }

    // Logging

    [LibraryImport(LibraryName, EntryPoint = "libbpf_set_print")]
    public static partial nint SetPrint(delegate* unmanaged[Cdecl]<int, byte*, nint, int> print);

    [LibraryImport(LibraryName, EntryPoint = "libbpf_num_possible_cpus")]
    public static partial int NumPossibleCpus();

    // Objects

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__open_mem", SetLastError = true)]
    public static partial nint ObjectOpenMem(void* buffer, nuint size, ObjectOpenOptions* options);

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__load")]
    public static partial int ObjectLoad(BpfObjectHandle obj);

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint obj);

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__find_map_by_name")]
    public static partial nint ObjectFindMapByName(BpfObjectHandle obj, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [LibraryImport(LibraryName, EntryPoint = "bpf_object__next_program")]
    public static partial nint ObjectNextProgram(BpfObjectHandle obj, nint previous);

    // Programs

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__name")]
    public static partial byte* ProgramName(nint program);

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__section_name")]
    public static partial byte* ProgramSectionName(nint program);

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach", SetLastError = true)]
    public static partial nint ProgramAttach(nint program);

    [LibraryImport(LibraryName, EntryPoint = "bpf_program__attach_uprobe_opts", SetLastError = true)]
    public static partial nint ProgramAttachUprobeOptions(nint program, int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string binaryPath, nuint functionOffset, UprobeOptions* options);

    [LibraryImport(LibraryName, EntryPoint = "bpf_link__destroy")]
    public static partial int LinkDestroy(nint link);

    // Maps

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__set_max_entries")]
    public static partial int MapSetMaxEntries(nint map, uint maxEntries);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__max_entries")]
    public static partial uint MapMaxEntries(nint map);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__set_autocreate")]
    public static partial int MapSetAutoCreate(nint map, [MarshalAs(UnmanagedType.U1)] bool autoCreate);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__fd")]
    public static partial int MapFd(nint map);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map__value_size")]
    public static partial uint MapValueSize(nint map);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map_update_elem", SetLastError = true)]
    public static partial int MapUpdateElement(int mapFd, void* key, void* value, ulong flags);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map_delete_elem", SetLastError = true)]
    public static partial int MapDeleteElement(int mapFd, void* key);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map_get_next_key", SetLastError = true)]
    public static partial int MapGetNextKey(int mapFd, void* key, void* nextKey);

    [LibraryImport(LibraryName, EntryPoint = "bpf_map_lookup_elem", SetLastError = true)]
    public static partial int MapLookupElement(int mapFd, void* key, void* value);

    // Perf buffer

    [LibraryImport(LibraryName, EntryPoint = "perf_buffer__new", SetLastError = true)]
    public static partial nint PerfBufferNew(
        int mapFd,
        nuint pagesPerCpu,
        delegate* unmanaged[Cdecl]<void*, int, void*, uint, void> sample,
        delegate* unmanaged[Cdecl]<void*, int, ulong, void> lost,
        void* context,
        void* options);

    [LibraryImport(LibraryName, EntryPoint = "perf_buffer__poll", SetLastError = true)]
    public static partial int PerfBufferPoll(PerfBufferHandle perfBuffer, int timeoutMilliseconds);

    [LibraryImport(LibraryName, EntryPoint = "perf_buffer__consume", SetLastError = true)]
    public static partial int PerfBufferConsume(PerfBufferHandle perfBuffer);

    [LibraryImport(LibraryName, EntryPoint = "perf_buffer__free")]
    public static partial void PerfBufferFree(nint perfBuffer);

    /// <summary><c>struct bpf_uprobe_opts</c> of libbpf 1.0–1.1 (newer libbpf accepts this shorter <c>sz</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct UprobeOptions
    {
        public nuint Size;
        public nuint RefCounterOffset;
        public ulong BpfCookie;
        [MarshalAs(UnmanagedType.U1)]
        public bool Retprobe;
        public byte* FunctionName;
    }

    /// <summary>The leading fields of <c>struct bpf_object_open_opts</c>; libbpf accepts a shorter <c>sz</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ObjectOpenOptions
    {
        public nuint Size;
        public byte* ObjectName;
    }
}
