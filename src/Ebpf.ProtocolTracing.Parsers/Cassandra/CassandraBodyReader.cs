using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>
/// Reads the notations of native_protocol_v4.spec section 3 from a frame body's kept head; running off
/// the end sets <see cref="Truncated"/> and yields neutral values, so nothing here throws.
/// </summary>
internal ref struct CassandraBodyReader(ReadOnlySpan<byte> data)
{
    private const int MaxTypeDepth = 16;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _at;

    public bool Truncated { get; private set; }

    public readonly bool Ok => !Truncated;

    public byte Byte() => Take(1, out var b) ? b[0] : (byte)0;

    public short Short() => Take(2, out var b) ? BinaryPrimitives.ReadInt16BigEndian(b) : (short)0;

    public ushort UShort() => Take(2, out var b) ? BinaryPrimitives.ReadUInt16BigEndian(b) : (ushort)0;

    public int Int() => Take(4, out var b) ? BinaryPrimitives.ReadInt32BigEndian(b) : 0;

    public void Skip(int count)
    {
        if (count > 0)
        {
            _ = Take(count, out _);
        }
    }

    /// <summary>[string]: [short] n, n UTF-8 bytes.</summary>
    public string? String(int maxChars) => Text(UShort(), maxChars);

    /// <summary>[long string]: [int] n, n UTF-8 bytes.</summary>
    public string? LongString(int maxChars) => Text(Int(), maxChars);

    /// <summary>[short bytes] as hex.</summary>
    public string? ShortBytesHex() => Take(UShort(), out var b) ? Convert.ToHexString(b) : null;

    public void SkipString() => Skip(UShort());

    /// <summary>[bytes]: [int] n, n bytes (n &lt; 0 is null).</summary>
    public void SkipBytes() => Skip(Int());

    public void SkipStringList()
    {
        int count = UShort();
        for (int i = 0; i < count && Ok; i++)
        {
            SkipString();
        }
    }

    /// <summary>[option] of a column type, with the nested types of collections, UDTs and tuples.</summary>
    public void SkipOption(int depth = 0)
    {
        if (depth > MaxTypeDepth)
        {
            Truncated = true;
            return;
        }

        int id = UShort();
        switch (id)
        {
            case 0x0000: // custom: class name
                SkipString();
                break;
            case 0x0020: // list
            case 0x0022: // set
                SkipOption(depth + 1);
                break;
            case 0x0021: // map
                SkipOption(depth + 1);
                SkipOption(depth + 1);
                break;
            case 0x0030: // UDT: keyspace, name, fields
                SkipString();
                SkipString();
                int fields = UShort();
                for (int i = 0; i < fields && Ok; i++)
                {
                    SkipString();
                    SkipOption(depth + 1);
                }

                break;
            case 0x0031: // tuple
                int elements = UShort();
                for (int i = 0; i < elements && Ok; i++)
                {
                    SkipOption(depth + 1);
                }

                break;
        }
    }

    private string? Text(int length, int maxChars)
    {
        if (length < 0 || !Take(length, out var bytes))
        {
            return null;
        }

        return Encoding.UTF8.GetString(bytes.Length > maxChars ? bytes[..maxChars] : bytes);
    }

    private bool Take(int count, out ReadOnlySpan<byte> bytes)
    {
        if (Truncated || count < 0 || count > _data.Length - _at)
        {
            Truncated = true;
            bytes = default;
            return false;
        }

        bytes = _data.Slice(_at, count);
        _at += count;
        return true;
    }
}
