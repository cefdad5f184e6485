using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// Reads the field offsets of <see cref="GoStructLayout"/> from a Go binary's DWARF (<c>.debug_info</c>
/// and <c>.debug_abbrev</c>, DWARF 2–5, 32-bit format): the <c>DW_TAG_member</c> children of the
/// <c>DW_TAG_structure_type</c> entries named <c>crypto/tls.Conn</c>, <c>net.TCPConn</c>, <c>net.conn</c>,
/// <c>net.netFD</c> and <c>internal/poll.FD</c>, and their <c>DW_AT_data_member_location</c>. Only what
/// that needs is decoded; every other attribute is skipped by its form.
/// Layouts: "DWARF Debugging Information Format", versions 4 and 5 (https://dwarfstd.org/).
/// </summary>
internal static class GoDwarfLayoutReader
{
    private const int MaxSectionBytes = 512 * 1024 * 1024;
    private const ulong TagMember = 0x0d;
    private const ulong TagStructure = 0x13;
    private const ulong AttributeName = 0x03;
    private const ulong AttributeMemberLocation = 0x38;
    private const ulong FormIndirect = 0x16;
    private const ulong FormImplicitConst = 0x21;

    // Structure name → the member whose offset is wanted.
    private static readonly Dictionary<string, string> WantedMembers = new(StringComparer.Ordinal)
    {
        ["crypto/tls.Conn"] = "conn",
        ["net.TCPConn"] = "conn",
        ["net.conn"] = "fd",
        ["net.netFD"] = "pfd",
        ["internal/poll.FD"] = "Sysfd",
    };

    /// <summary>The layout from the binary's DWARF, or <see langword="null"/> when it has none or lacks one of the fields.</summary>
    public static GoStructLayout? TryRead(ElfFile elf)
    {
        var info = elf.ReadDebugSection(".debug_info", MaxSectionBytes);
        var abbreviations = info is null ? null : elf.ReadDebugSection(".debug_abbrev", MaxSectionBytes);
        if (info is null || abbreviations is null)
        {
            return null;
        }

        var offsets = FindMemberOffsets(info, abbreviations, () => elf.ReadDebugSection(".debug_str", MaxSectionBytes));
        return offsets.TryGetValue("crypto/tls.Conn", out var conn)
            && offsets.TryGetValue("net.TCPConn", out var tcpConn)
            && offsets.TryGetValue("net.conn", out var fd)
            && offsets.TryGetValue("net.netFD", out var pfd)
            && offsets.TryGetValue("internal/poll.FD", out var sysfd)
            ? new GoStructLayout((uint)conn, (uint)(tcpConn + fd), (uint)pfd, (uint)sysfd, "DWARF")
            : null;
    }

    /// <summary>
    /// Structure name → offset of its wanted member (see <see cref="WantedMembers"/>), for the structures found.
    /// Stops at the first damage: what was found before it is returned.
    /// </summary>
    internal static Dictionary<string, ulong> FindMemberOffsets(byte[] info, byte[] abbreviationBytes, Func<byte[]?> readStrings)
    {
        var found = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var tables = new Dictionary<ulong, Dictionary<ulong, Abbreviation>>();
        var context = new ReadContext(readStrings);
        var unitStart = 0;
        try
        {
            while (unitStart + 11 <= info.Length && found.Count < WantedMembers.Count)
            {
                var unitLength = BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(unitStart));
                if (unitLength >= 0xfffffff0 || unitStart + 4 + (long)unitLength > info.Length)
                {
                    break; // 64-bit DWARF (never emitted by Go) or damage.
                }

                var unitEnd = unitStart + 4 + (int)unitLength;
                var at = unitStart + 4;
                var version = BinaryPrimitives.ReadUInt16LittleEndian(info.AsSpan(at));
                at += 2;
                ulong abbreviationOffset;
                if (version >= 5)
                {
                    at++; // unit_type
                    context.AddressSize = info[at++];
                    abbreviationOffset = BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(at));
                    at += 4;
                }
                else
                {
                    abbreviationOffset = BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(at));
                    at += 4;
                    context.AddressSize = info[at++];
                }

                context.Version = version;
                if (!tables.TryGetValue(abbreviationOffset, out var table))
                {
                    table = ParseAbbreviations(abbreviationBytes, (int)abbreviationOffset);
                    tables[abbreviationOffset] = table;
                }

                ScanUnit(info, at, unitEnd, table, context, found);
                unitStart = unitEnd;
            }
        }
        catch (Exception exception) when (exception is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidDataException)
        {
            // Damaged DWARF: keep what was read before it.
        }

        return found;
    }

    private static void ScanUnit(byte[] info, int at, int end, Dictionary<ulong, Abbreviation> table, ReadContext context, Dictionary<string, ulong> found)
    {
        var depth = 0;
        var structDepth = -1;
        string? structName = null;
        while (at < end)
        {
            var code = ReadUnsigned(info, ref at);
            if (code == 0)
            {
                depth--;
                if (depth < structDepth)
                {
                    structDepth = -1;
                    structName = null;
                }

                continue;
            }

            if (!table.TryGetValue(code, out var abbreviation))
            {
                throw new InvalidDataException("DWARF entry with an unknown abbreviation code.");
            }

            string? name = null;
            ulong? location = null;
            var interesting = abbreviation.Tag == TagStructure || (abbreviation.Tag == TagMember && structName is not null && depth == structDepth);
            foreach (var (attribute, form, implicitValue) in abbreviation.Attributes)
            {
                if (interesting && attribute == AttributeName)
                {
                    name = ReadString(info, ref at, form, context);
                }
                else if (interesting && attribute == AttributeMemberLocation)
                {
                    location = ReadLocation(info, ref at, form, implicitValue, context);
                }
                else
                {
                    Skip(info, ref at, form, context);
                }
            }

            if (abbreviation.Tag == TagStructure && name is not null && abbreviation.HasChildren
                && WantedMembers.ContainsKey(name) && !found.ContainsKey(name))
            {
                structName = name;
                structDepth = depth + 1;
            }
            else if (abbreviation.Tag == TagMember && structName is not null && depth == structDepth
                && name == WantedMembers[structName] && location is { } offset)
            {
                found[structName] = offset;
            }

            if (abbreviation.HasChildren)
            {
                depth++;
            }
        }
    }

    private static Dictionary<ulong, Abbreviation> ParseAbbreviations(byte[] bytes, int at)
    {
        var table = new Dictionary<ulong, Abbreviation>();
        while (at < bytes.Length)
        {
            var code = ReadUnsigned(bytes, ref at);
            if (code == 0)
            {
                break;
            }

            var tag = ReadUnsigned(bytes, ref at);
            var hasChildren = bytes[at++] != 0;
            var attributes = new List<(ulong Attribute, ulong Form, long ImplicitValue)>();
            while (true)
            {
                var attribute = ReadUnsigned(bytes, ref at);
                var form = ReadUnsigned(bytes, ref at);
                if (attribute == 0 && form == 0)
                {
                    break;
                }

                attributes.Add((attribute, form, form == FormImplicitConst ? ReadSigned(bytes, ref at) : 0));
            }

            table[code] = new Abbreviation(tag, hasChildren, [.. attributes]);
        }

        return table;
    }

    private static string? ReadString(byte[] info, ref int at, ulong form, ReadContext context)
    {
        switch (form)
        {
            case 0x08: // string
                var length = info.AsSpan(at).IndexOf((byte)0);
                if (length < 0)
                {
                    throw new InvalidDataException("Unterminated DWARF string.");
                }

                var text = Encoding.UTF8.GetString(info, at, length);
                at += length + 1;
                return text;
            case 0x0e: // strp
                var offset = BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(at));
                at += 4;
                var strings = context.Strings;
                if (strings is null || offset >= strings.Length)
                {
                    return null;
                }

                var end = strings.AsSpan((int)offset).IndexOf((byte)0);
                return end < 0 ? null : Encoding.UTF8.GetString(strings, (int)offset, end);
            default:
                Skip(info, ref at, form, context);
                return null;
        }
    }

    private static ulong? ReadLocation(byte[] info, ref int at, ulong form, long implicitValue, ReadContext context)
    {
        switch (form)
        {
            case 0x0b: return info[at++];
            case 0x05: at += 2; return BinaryPrimitives.ReadUInt16LittleEndian(info.AsSpan(at - 2));
            case 0x06: at += 4; return BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(at - 4));
            case 0x07: at += 8; return BinaryPrimitives.ReadUInt64LittleEndian(info.AsSpan(at - 8));
            case 0x0f: return ReadUnsigned(info, ref at);
            case 0x0d: return (ulong)ReadSigned(info, ref at);
            case FormImplicitConst: return (ulong)implicitValue;
            case 0x18: // exprloc
            case 0x09: // block
            case 0x0a: // block1
                var length = form == 0x0a ? info[at++] : (int)ReadUnsigned(info, ref at);
                var expressionEnd = at + length;
                ulong? value = null;
                // DWARF 2 style: DW_OP_plus_uconst <offset>.
                if (length > 1 && info[at] == 0x23)
                {
                    var cursor = at + 1;
                    value = ReadUnsigned(info, ref cursor);
                }

                at = expressionEnd;
                return value;
            default:
                Skip(info, ref at, form, context);
                return null;
        }
    }

    private static void Skip(byte[] info, ref int at, ulong form, ReadContext context)
    {
        switch (form)
        {
            case 0x01: at += context.AddressSize; break; // addr
            case 0x03: at += 2 + BinaryPrimitives.ReadUInt16LittleEndian(info.AsSpan(at)); break; // block2
            case 0x04: at += 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(at)); break; // block4
            case 0x05 or 0x12 or 0x26 or 0x2a: at += 2; break; // data2, ref2, strx2, addrx2
            case 0x06 or 0x13 or 0x1c or 0x28 or 0x2c: at += 4; break; // data4, ref4, ref_sup4, strx4, addrx4
            case 0x07 or 0x14 or 0x20: at += 8; break; // data8, ref8, ref_sig8
            case 0x08: // string
                var length = info.AsSpan(at).IndexOf((byte)0);
                at += length < 0 ? throw new InvalidDataException("Unterminated DWARF string.") : length + 1;
                break;
            case 0x09 or 0x18: var size = (int)ReadUnsigned(info, ref at); at += size; break; // block, exprloc
            case 0x0a: at += 1 + info[at]; break; // block1
            case 0x0b or 0x0c or 0x11 or 0x25 or 0x29: at += 1; break; // data1, flag, ref1, strx1, addrx1
            case 0x0d: ReadSigned(info, ref at); break; // sdata
            case 0x0e or 0x17 or 0x1d or 0x1f: at += 4; break; // strp, sec_offset, strp_sup, line_strp (32-bit DWARF)
            case 0x10: at += context.Version <= 2 ? context.AddressSize : 4; break; // ref_addr
            case 0x0f or 0x15 or 0x1a or 0x1b or 0x22 or 0x23: ReadUnsigned(info, ref at); break; // udata, ref_udata, strx, addrx, loclistx, rnglistx
            case FormIndirect: Skip(info, ref at, ReadUnsigned(info, ref at), context); break;
            case 0x19 or FormImplicitConst: break; // flag_present, implicit_const
            case 0x1e: at += 16; break; // data16
            case 0x27 or 0x2b: at += 3; break; // strx3, addrx3
            default: throw new InvalidDataException($"Unknown DWARF form 0x{form:x}.");
        }
    }

    private static ulong ReadUnsigned(byte[] bytes, ref int at)
    {
        ulong value = 0;
        var shift = 0;
        while (true)
        {
            var b = bytes[at++];
            if (shift < 64)
            {
                value |= (ulong)(b & 0x7f) << shift;
            }

            if ((b & 0x80) == 0)
            {
                return value;
            }

            shift += 7;
        }
    }

    private static long ReadSigned(byte[] bytes, ref int at)
    {
        long value = 0;
        var shift = 0;
        byte b;
        do
        {
            b = bytes[at++];
            if (shift < 64)
            {
                value |= (long)(b & 0x7f) << shift;
            }

            shift += 7;
        }
        while ((b & 0x80) != 0);

        if (shift < 64 && (b & 0x40) != 0)
        {
            value |= -1L << shift;
        }

        return value;
    }

    private sealed record Abbreviation(ulong Tag, bool HasChildren, (ulong Attribute, ulong Form, long ImplicitValue)[] Attributes);

    private sealed class ReadContext(Func<byte[]?> readStrings)
    {
        private byte[]? strings;
        private bool stringsRead;

        public int AddressSize { get; set; } = 8;

        public int Version { get; set; } = 4;

        public byte[]? Strings
        {
            get
            {
                if (!stringsRead)
                {
                    strings = readStrings();
                    stringsRead = true;
                }

                return strings;
            }
        }
    }
}
