using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// A minimal reader of 64-bit little-endian ELF files: the function symbols of <c>.dynsym</c> and
/// <c>.symtab</c>, and where a virtual address lives in the file (uprobes take file offsets). Only the
/// headers and the tables asked for are read, so a 100 MB executable costs a few reads.
/// Layouts: the System V ABI, "ELF-64 Object File Format" (https://uclibc.org/docs/elf-64-gen.pdf).
/// </summary>
internal sealed class ElfFile : IDisposable
{
    private const int ElfHeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int ProgramHeaderSize = 56;
    private const int SymbolSize = 24;
    private const uint SectionSymtab = 2;
    private const uint SectionDynsym = 11;
    private const uint SegmentLoad = 1;
    private const byte SymbolTypeFunc = 2;
    private const byte SymbolTypeObject = 1;
    private const ulong SectionFlagCompressed = 0x800;
    private const int CompressionHeaderSize = 24;
    private const uint CompressionZlib = 1;

    // Symbol tables larger than this are not read (a defence against damaged files, not a real limit).
    private const long MaxTableBytes = 256L * 1024 * 1024;

    private readonly FileStream stream;
    private readonly Section[] sections;
    private readonly Segment[] segments;

    private ElfFile(FileStream stream, Section[] sections, Segment[] segments, ushort machine)
    {
        this.stream = stream;
        this.sections = sections;
        this.segments = segments;
        Machine = machine;
    }

    /// <summary>The ELF machine (<c>e_machine</c>): 62 is x86-64, 183 is AArch64.</summary>
    public ushort Machine { get; }

    /// <summary>Opens <paramref name="path"/>; <see langword="null"/> when it is not a 64-bit little-endian ELF file or cannot be read.</summary>
    public static ElfFile? TryOpen(string path)
    {
        FileStream? stream = null;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.RandomAccess);
            Span<byte> header = stackalloc byte[ElfHeaderSize];
            if (stream.Length < ElfHeaderSize || stream.Read(header) != ElfHeaderSize)
            {
                stream.Dispose();
                return null;
            }

            // "\x7fELF", ELFCLASS64, ELFDATA2LSB.
            if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F' || header[4] != 2 || header[5] != 1)
            {
                stream.Dispose();
                return null;
            }

            var programOffset = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
            var sectionOffset = BinaryPrimitives.ReadInt64LittleEndian(header[40..]);
            var programCount = BinaryPrimitives.ReadUInt16LittleEndian(header[56..]);
            var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header[60..]);
            var machine = BinaryPrimitives.ReadUInt16LittleEndian(header[18..]);
            var file = new ElfFile(stream, ReadSections(stream, sectionOffset, sectionCount), ReadSegments(stream, programOffset, programCount), machine);
            stream = null;
            return file;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or EndOfStreamException)
        {
            stream?.Dispose();
            return null;
        }
    }

    /// <summary>
    /// The file offsets of the defined functions named in <paramref name="names"/>, from <c>.dynsym</c>
    /// (exported) or, with <paramref name="includeSymtab"/>, also from <c>.symtab</c> (all, when not stripped).
    /// </summary>
    public Dictionary<string, FunctionSymbol> FindFunctions(IReadOnlyCollection<string> names, bool includeSymtab)
    {
        var wanted = new HashSet<string>(names, StringComparer.Ordinal);
        var found = new Dictionary<string, FunctionSymbol>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            if (section.Type == SectionDynsym || (includeSymtab && section.Type == SectionSymtab))
            {
                ScanSymbols(section, wanted, found, SymbolTypeFunc);
            }

            if (found.Count == wanted.Count)
            {
                break;
            }
        }

        return found;
    }

    /// <summary>
    /// The defined data objects (e.g. Go's <c>go:itab.*net.TCPConn,net.Conn</c>) named in
    /// <paramref name="names"/>, from <c>.symtab</c> and <c>.dynsym</c>.
    /// </summary>
    public Dictionary<string, FunctionSymbol> FindObjects(IReadOnlyCollection<string> names)
    {
        var wanted = new HashSet<string>(names, StringComparer.Ordinal);
        var found = new Dictionary<string, FunctionSymbol>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            if (section.Type is SectionSymtab or SectionDynsym)
            {
                ScanSymbols(section, wanted, found, SymbolTypeObject);
            }
        }

        return found;
    }

    /// <summary>Whether the file has a section named <paramref name="name"/>.</summary>
    public bool HasSection(string name)
    {
        foreach (var section in sections)
        {
            if (section.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The contents of a DWARF section (e.g. <c>.debug_info</c>), inflated when the linker compressed it
    /// (<c>SHF_COMPRESSED</c> with zlib, or the older <c>.zdebug_*</c> form with a "ZLIB" header); <see langword="null"/>
    /// when absent, larger than <paramref name="maxBytes"/> once inflated, or damaged.
    /// </summary>
    public byte[]? ReadDebugSection(string name, int maxBytes)
    {
        foreach (var section in sections)
        {
            if (section.Type == 8 /* SHT_NOBITS */ || section.Size > MaxTableBytes)
            {
                continue;
            }

            var legacy = section.Name == ".z" + name[1..];
            if (section.Name != name && !legacy)
            {
                continue;
            }

            var raw = new byte[section.Size];
            if (!TryRead(section.Offset, raw))
            {
                return null;
            }

            if (legacy)
            {
                // "ZLIB", the inflated size (big-endian 64-bit), then a zlib stream.
                return raw.Length >= 12 && raw.AsSpan(0, 4).SequenceEqual("ZLIB"u8)
                    ? Inflate(raw, 12, BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(4)), maxBytes)
                    : null;
            }

            if ((section.Flags & SectionFlagCompressed) == 0)
            {
                return raw.Length <= maxBytes ? raw : null;
            }

            // Elf64_Chdr: ch_type, ch_reserved, ch_size, ch_addralign.
            return raw.Length >= CompressionHeaderSize && BinaryPrimitives.ReadUInt32LittleEndian(raw) == CompressionZlib
                ? Inflate(raw, CompressionHeaderSize, BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(8)), maxBytes)
                : null;
        }

        return null;
    }

    /// <summary>The file offset of virtual address <paramref name="address"/>, or -1 when no loaded segment holds it.</summary>
    public long AddressToFileOffset(ulong address)
    {
        foreach (var segment in segments)
        {
            if (address >= segment.VirtualAddress && address < segment.VirtualAddress + segment.FileSize)
            {
                return (long)(address - segment.VirtualAddress + segment.FileOffset);
            }
        }

        return -1;
    }

    /// <summary>Reads <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; false when the file is shorter.</summary>
    public bool TryRead(long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset + buffer.Length > stream.Length)
        {
            return false;
        }

        stream.Position = offset;
        stream.ReadExactly(buffer);
        return true;
    }

    /// <summary>The contents of the section named <paramref name="name"/> (e.g. <c>.go.buildinfo</c>), or <see langword="null"/>.</summary>
    public byte[]? ReadSection(string name, int maxBytes)
    {
        foreach (var section in sections)
        {
            if (section.Name == name && section.Size <= (ulong)maxBytes && section.Type != 8 /* SHT_NOBITS */)
            {
                var bytes = new byte[section.Size];
                return TryRead(section.Offset, bytes) ? bytes : null;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public void Dispose() => stream.Dispose();

    private static byte[]? Inflate(byte[] raw, int start, ulong size, int maxBytes)
    {
        if (size > (ulong)maxBytes)
        {
            return null;
        }

        var result = new byte[size];
        try
        {
            using var inflater = new ZLibStream(new MemoryStream(raw, start, raw.Length - start), CompressionMode.Decompress);
            inflater.ReadExactly(result);
            return result;
        }
        catch (Exception exception) when (exception is InvalidDataException or EndOfStreamException)
        {
            return null;
        }
    }

    private void ScanSymbols(Section table, HashSet<string> wanted, Dictionary<string, FunctionSymbol> found, byte symbolType)
    {
        if (table.Link >= sections.Length || table.Size > MaxTableBytes || table.EntrySize != SymbolSize)
        {
            return;
        }

        var strings = sections[table.Link];
        if (strings.Size > MaxTableBytes)
        {
            return;
        }

        var symbols = new byte[table.Size];
        var names = new byte[strings.Size];
        if (!TryRead(table.Offset, symbols) || !TryRead(strings.Offset, names))
        {
            return;
        }

        for (var at = 0; at + SymbolSize <= symbols.Length; at += SymbolSize)
        {
            var entry = symbols.AsSpan(at, SymbolSize);
            var info = entry[4];
            var sectionIndex = BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]);
            var value = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
            if ((info & 0xf) != symbolType || sectionIndex == 0 || value == 0)
            {
                continue;
            }

            var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            if (nameOffset >= names.Length)
            {
                continue;
            }

            var nameBytes = names.AsSpan((int)nameOffset);
            var end = nameBytes.IndexOf((byte)0);
            if (end < 0)
            {
                continue;
            }

            // Compare bytes before allocating: almost every symbol is not wanted.
            if (!MightBeWanted(nameBytes[..end], wanted))
            {
                continue;
            }

            var name = Encoding.UTF8.GetString(nameBytes[..end]);
            if (wanted.Contains(name) && !found.ContainsKey(name))
            {
                var fileOffset = AddressToFileOffset(value);
                if (fileOffset >= 0)
                {
                    found[name] = new FunctionSymbol(name, value, BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]), fileOffset);
                }
            }
        }
    }

    private static bool MightBeWanted(ReadOnlySpan<byte> name, HashSet<string> wanted)
    {
        foreach (var candidate in wanted)
        {
            if (candidate.Length == name.Length && name[0] == candidate[0] && name[^1] == candidate[^1])
            {
                return true;
            }
        }

        return false;
    }

    private static Section[] ReadSections(FileStream stream, long offset, int count)
    {
        if (offset <= 0 || count == 0)
        {
            return [];
        }

        var raw = new byte[count * SectionHeaderSize];
        stream.Position = offset;
        stream.ReadExactly(raw);
        var result = new Section[count];
        for (var i = 0; i < count; i++)
        {
            var entry = raw.AsSpan(i * SectionHeaderSize, SectionHeaderSize);
            result[i] = new Section(
                NameOffset: BinaryPrimitives.ReadUInt32LittleEndian(entry),
                Type: BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]),
                Flags: BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]),
                Offset: BinaryPrimitives.ReadInt64LittleEndian(entry[24..]),
                Size: BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]),
                Link: BinaryPrimitives.ReadUInt32LittleEndian(entry[40..]),
                EntrySize: BinaryPrimitives.ReadUInt64LittleEndian(entry[56..]))
            {
                Name = string.Empty,
            };
        }

        NameSections(stream, result);
        return result;
    }

    private static void NameSections(FileStream stream, Section[] sections)
    {
        // e_shstrndx (offset 62 of the ELF header) is the section holding the section names.
        stream.Position = 62;
        Span<byte> index = stackalloc byte[2];
        stream.ReadExactly(index);
        var nameTable = BinaryPrimitives.ReadUInt16LittleEndian(index);
        if (nameTable >= sections.Length || sections[nameTable].Size > MaxTableBytes)
        {
            return;
        }

        var names = new byte[sections[nameTable].Size];
        stream.Position = sections[nameTable].Offset;
        stream.ReadExactly(names);
        for (var i = 0; i < sections.Length; i++)
        {
            var start = (int)sections[i].NameOffset;
            if (start >= names.Length)
            {
                continue;
            }

            var end = names.AsSpan(start).IndexOf((byte)0);
            sections[i] = sections[i] with { Name = Encoding.ASCII.GetString(names, start, end < 0 ? names.Length - start : end) };
        }
    }

    private static Segment[] ReadSegments(FileStream stream, long offset, int count)
    {
        if (offset <= 0 || count == 0)
        {
            return [];
        }

        var raw = new byte[count * ProgramHeaderSize];
        stream.Position = offset;
        stream.ReadExactly(raw);
        var result = new List<Segment>(count);
        for (var i = 0; i < count; i++)
        {
            var entry = raw.AsSpan(i * ProgramHeaderSize, ProgramHeaderSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(entry) != SegmentLoad)
            {
                continue;
            }

            result.Add(new Segment(
                FileOffset: BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]),
                VirtualAddress: BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]),
                FileSize: BinaryPrimitives.ReadUInt64LittleEndian(entry[32..])));
        }

        return [.. result];
    }

    private readonly record struct Section(uint NameOffset, uint Type, ulong Flags, long Offset, ulong Size, uint Link, ulong EntrySize)
    {
        public required string Name { get; init; }
    }

    private readonly record struct Segment(ulong FileOffset, ulong VirtualAddress, ulong FileSize);
}

/// <summary>A function symbol of an ELF file.</summary>
/// <param name="Name">The symbol name.</param>
/// <param name="Address">Its virtual address (st_value).</param>
/// <param name="Size">Its size in bytes (st_size).</param>
/// <param name="FileOffset">Where its first instruction is in the file: what a uprobe attaches to.</param>
internal readonly record struct FunctionSymbol(string Name, ulong Address, ulong Size, long FileOffset);
