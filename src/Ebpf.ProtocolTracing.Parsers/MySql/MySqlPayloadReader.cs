using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// Reads the protocol's basic types from one payload
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_data_types.html). Reading past
/// the end never throws: it sets <see cref="Failed"/> and yields zeros and empty spans.
/// </summary>
internal ref struct MySqlPayloadReader(ReadOnlySpan<byte> payload)
{
    private readonly ReadOnlySpan<byte> _payload = payload;
    private int _position;

    /// <summary>Whether a read ran past the end of the payload.</summary>
    public bool Failed { get; private set; }

    public readonly int Position => _position;

    public readonly int Remaining => _payload.Length - _position;

    public readonly ReadOnlySpan<byte> Rest => _payload[_position..];

    public byte ReadByte() => TryTake(1, out var bytes) ? bytes[0] : (byte)0;

    public ushort ReadUInt16() => TryTake(2, out var bytes) ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : (ushort)0;

    public uint ReadUInt24() => TryTake(3, out var bytes) ? (uint)(bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)) : 0u;

    public uint ReadUInt32() => TryTake(4, out var bytes) ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : 0u;

    public ulong ReadUInt64() => TryTake(8, out var bytes) ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : 0ul;

    /// <summary>A length-encoded integer; <see langword="null"/> for the NULL marker (0xFB) or past the end.</summary>
    public ulong? ReadLengthEncoded()
    {
        byte first = ReadByte();
        if (Failed)
        {
            return null;
        }

        return first switch
        {
            < 0xFB => first,
            0xFC => ReadUInt16(),
            0xFD => ReadUInt24(),
            0xFE => ReadUInt64(),
            _ => null,
        };
    }

    /// <summary>Takes <paramref name="count"/> bytes, or sets <see cref="Failed"/> and returns empty.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count) => TryTake(count, out var bytes) ? bytes : default;

    /// <summary>Skips <paramref name="count"/> bytes.</summary>
    public void Skip(long count)
    {
        if (count < 0 || count > Remaining)
        {
            Failed = true;
            _position = _payload.Length;
            return;
        }

        _position += (int)count;
    }

    /// <summary>Bytes up to a NUL, which is consumed; the rest of the payload when there is none.</summary>
    public ReadOnlySpan<byte> ReadNullTerminated()
    {
        var rest = Rest;
        int end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            _position = _payload.Length;
            return rest;
        }

        _position += end + 1;
        return rest[..end];
    }

    /// <summary>A length-encoded string; empty and <see cref="Failed"/> when its length runs past the end.</summary>
    public ReadOnlySpan<byte> ReadLengthEncodedBytes()
    {
        ulong? length = ReadLengthEncoded();
        if (length is not { } value || value > (ulong)Remaining)
        {
            Failed = true;
            return default;
        }

        return ReadBytes((int)value);
    }

    /// <summary>Decodes text as UTF-8, cut at <paramref name="maxBytes"/>.</summary>
    public static string Text(ReadOnlySpan<byte> bytes, int maxBytes) =>
        Encoding.UTF8.GetString(bytes.Length > maxBytes ? bytes[..maxBytes] : bytes);

    private bool TryTake(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count > Remaining)
        {
            Failed = true;
            _position = _payload.Length;
            bytes = default;
            return false;
        }

        bytes = _payload.Slice(_position, count);
        _position += count;
        return true;
    }
}
