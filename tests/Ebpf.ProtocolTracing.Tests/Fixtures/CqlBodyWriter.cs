using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// Writes CQL native protocol v4 notation ([int], [string], [bytes], [option], …; native_protocol_v4.spec,
/// section 3) into a response body, and the 9-byte frame header around it.
/// </summary>
internal sealed class CqlBodyWriter
{
    /// <summary>[option] ids of the column types the responder uses (section 4.2.5.2).</summary>
    public const short Int = 0x0009;
    public const short Uuid = 0x000C;
    public const short Varchar = 0x000D;
    public const short Inet = 0x0010;
    public const short Set = 0x0022;

    private readonly MemoryStream _bytes = new();

    public CqlBodyWriter Int32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        _bytes.Write(b);
        return this;
    }

    public CqlBodyWriter Short(int value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(b, (short)value);
        _bytes.Write(b);
        return this;
    }

    public CqlBodyWriter String(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        Short(utf8.Length);
        _bytes.Write(utf8);
        return this;
    }

    public CqlBodyWriter Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        _bytes.Write(value);
        return this;
    }

    public CqlBodyWriter NullBytes() => Int32(-1);

    public CqlBodyWriter ShortBytes(ReadOnlySpan<byte> value)
    {
        Short(value.Length);
        _bytes.Write(value);
        return this;
    }

    public CqlBodyWriter StringMultimap(IReadOnlyDictionary<string, string[]> map)
    {
        Short(map.Count);
        foreach (var (key, values) in map)
        {
            String(key).Short(values.Length);
            foreach (var value in values)
            {
                String(value);
            }
        }

        return this;
    }

    /// <summary>Rows metadata with a global table spec (flag 0x0001) and one [option] per column.</summary>
    public CqlBodyWriter RowsMetadata(string keyspace, string table, IReadOnlyList<CqlColumn> columns)
    {
        Int32(0x0001).Int32(columns.Count).String(keyspace).String(table);
        foreach (var column in columns)
        {
            String(column.Name).Short(column.Type);
            if (column.Type == Set)
            {
                Short(Varchar);
            }
        }

        return this;
    }

    /// <summary>What was written, without a frame header (a collection value inside a cell).</summary>
    public byte[] Body() => _bytes.ToArray();

    /// <summary>The whole frame: a v4 response header (version 0x84) and this body.</summary>
    public byte[] Frame(short stream, byte opcode)
    {
        var body = _bytes.ToArray();
        var frame = new byte[9 + body.Length];
        frame[0] = 0x84;
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(2), stream);
        frame[4] = opcode;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), body.Length);
        body.CopyTo(frame, 9);
        return frame;
    }
}

/// <summary>A result column: its name and [option] id (a set is a set of varchar).</summary>
internal readonly record struct CqlColumn(string Name, short Type);
