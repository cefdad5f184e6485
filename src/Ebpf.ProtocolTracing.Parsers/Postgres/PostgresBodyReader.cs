using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>Reads a message's fields (big-endian integers, NUL-terminated strings) from its buffered head; never throws.</summary>
internal ref struct PostgresBodyReader
{
    private readonly ReadOnlySpan<byte> _body;
    private int _offset;

    public PostgresBodyReader(ReadOnlySpan<byte> body)
    {
        _body = body;
        _offset = 0;
    }

    /// <summary>Whether a read ran past the buffered bytes (the message was cut, or is malformed).</summary>
    public bool Exhausted { get; private set; }

    public readonly int Remaining => _body.Length - _offset;

    public byte ReadByte()
    {
        if (Remaining < 1)
        {
            Exhausted = true;
            return 0;
        }

        return _body[_offset++];
    }

    public short ReadInt16()
    {
        if (Remaining < 2)
        {
            Exhausted = true;
            _offset = _body.Length;
            return 0;
        }

        short value = BinaryPrimitives.ReadInt16BigEndian(_body[_offset..]);
        _offset += 2;
        return value;
    }

    public int ReadInt32()
    {
        if (Remaining < 4)
        {
            Exhausted = true;
            _offset = _body.Length;
            return 0;
        }

        int value = BinaryPrimitives.ReadInt32BigEndian(_body[_offset..]);
        _offset += 4;
        return value;
    }

    /// <summary>Reads <paramref name="count"/> bytes, or what is left (setting <see cref="Exhausted"/>).</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining)
        {
            Exhausted = true;
            var rest = _body[_offset..];
            _offset = _body.Length;
            return rest;
        }

        var bytes = _body.Slice(_offset, count);
        _offset += count;
        return bytes;
    }

    /// <summary>Reads a NUL-terminated string's bytes; without a terminator, the rest (setting <see cref="Exhausted"/>).</summary>
    public ReadOnlySpan<byte> ReadCStringBytes()
    {
        var rest = _body[_offset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            Exhausted = true;
            _offset = _body.Length;
            return rest;
        }

        _offset += end + 1;
        return rest[..end];
    }

    /// <summary>Reads a NUL-terminated string, keeping at most <paramref name="maxChars"/> characters.</summary>
    public string ReadCString(int maxChars, out bool truncated)
    {
        var bytes = ReadCStringBytes();
        return Decode(bytes, maxChars, out truncated);
    }

    /// <summary>Reads a NUL-terminated string of bounded length (names, tags).</summary>
    public string ReadCString() => ReadCString(1024, out _);

    /// <summary>UTF-8 text of at most <paramref name="maxChars"/> characters (cut at a character boundary).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, int maxChars, out bool truncated)
    {
        truncated = false;
        if (bytes.Length > maxChars * 4L || Encoding.UTF8.GetCharCount(bytes) > maxChars)
        {
            truncated = true;
            // Each character takes at least one byte, so this many bytes always hold maxChars characters.
            long byteBudget = maxChars * 4L;
            var head = bytes.Length > byteBudget ? bytes[..(int)byteBudget] : bytes;
            string text = Encoding.UTF8.GetString(head);
            return text.Length > maxChars ? text[..maxChars] : text;
        }

        return Encoding.UTF8.GetString(bytes);
    }
}
