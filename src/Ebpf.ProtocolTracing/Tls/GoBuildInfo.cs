using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// Reads the Go version a binary was built with from its <c>.go.buildinfo</c> section (what
/// <c>go version &lt;file&gt;</c> prints). The section starts with a 32-byte header: the magic
/// "\xff Go buildinf:", the pointer size, and flags. With flag 2 (Go 1.18+) the version string follows
/// inline as a varint-prefixed string; before, the header holds the address of a Go string header
/// (<c>runtime.buildVersion</c>).
/// </summary>
internal static class GoBuildInfo
{
    /// <summary>The section that marks an ELF file as a Go program.</summary>
    public const string SectionName = ".go.buildinfo";

    private const int HeaderSize = 32;
    private const int MaxVersionLength = 128;

    // The magic's first byte is the single byte 0xFF (which a UTF-8 literal would encode as two).
    private static readonly byte[] Magic = [0xff, .. " Go buildinf:"u8];

    /// <summary>The build version ("go1.19.8"), or <see langword="null"/> when the section is missing or unreadable.</summary>
    public static string? ReadVersion(ElfFile elf)
    {
        var section = elf.ReadSection(SectionName, maxBytes: 64 * 1024);
        if (section is null || section.Length < HeaderSize || !section.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }

        var pointerSize = section[14];
        var flags = section[15];
        if ((flags & 2) != 0)
        {
            return ReadInlineString(section.AsSpan(HeaderSize));
        }

        // Go 1.17 and older: the address of the version's string header (data pointer, length).
        if (pointerSize != 8 || (flags & 1) != 0)
        {
            return null;
        }

        var headerAddress = BinaryPrimitives.ReadUInt64LittleEndian(section.AsSpan(16));
        Span<byte> header = stackalloc byte[16];
        var headerOffset = elf.AddressToFileOffset(headerAddress);
        if (headerOffset < 0 || !elf.TryRead(headerOffset, header))
        {
            return null;
        }

        var dataOffset = elf.AddressToFileOffset(BinaryPrimitives.ReadUInt64LittleEndian(header));
        var length = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        if (dataOffset < 0 || length == 0 || length > MaxVersionLength)
        {
            return null;
        }

        var text = new byte[length];
        return elf.TryRead(dataOffset, text) ? Encoding.UTF8.GetString(text) : null;
    }

    private static string? ReadInlineString(ReadOnlySpan<byte> data)
    {
        ulong length = 0;
        var shift = 0;
        var at = 0;
        while (at < data.Length && shift < 64)
        {
            var b = data[at++];
            length |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return length <= MaxVersionLength && (ulong)(data.Length - at) >= length
                    ? Encoding.UTF8.GetString(data.Slice(at, (int)length))
                    : null;
            }

            shift += 7;
        }

        return null;
    }
}
