using System.Text;

namespace Ebpf.ProtocolTracing.Benchmarks.MySql;

/// <summary>Wire bytes of typical exchanges, built by the protocol documentation.</summary>
internal static class MySqlBenchmarkPayloads
{
    /// <summary>COM_QUERY for a 100-row, 3-column text result set.</summary>
    public static readonly byte[] Query = Packet(0, [0x03, .. "SELECT id, name, price FROM items WHERE price > 1 ORDER BY id"u8]);

    /// <summary>The result set (CLIENT_DEPRECATE_EOF): column count, 3 definitions, 100 rows, the closing OK.</summary>
    public static readonly byte[] ResultSet = BuildResultSet(100);

    /// <summary>COM_STMT_PREPARE of the statement the execute runs.</summary>
    public static readonly byte[] Prepare = Packet(0, [0x16, .. "INSERT INTO items (name, price, added) VALUES (?, ?, ?)"u8]);

    /// <summary>COM_STMT_PREPARE_OK: statement 1, no columns, 3 parameters (their definitions follow).</summary>
    public static readonly byte[] PrepareOk = [.. Packet(1, [0x00, 1, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0]), .. Column(2, "?"), .. Column(3, "?"), .. Column(4, "?")];

    /// <summary>COM_STMT_EXECUTE with a string, a double and a datetime bound.</summary>
    public static readonly byte[] Execute = Packet(0,
    [
        0x17, 1, 0, 0, 0, 0, 1, 0, 0, 0, // statement 1, no cursor, one iteration
        0, 1, // null bitmap, new-params-bound
        0xfd, 0, 0x05, 0, 0x0c, 0, // VAR_STRING, DOUBLE, DATETIME
        6, .. "quince"u8, .. BitConverter.GetBytes(3.75), 7, 0xEA, 0x07, 1, 2, 3, 4, 5,
    ]);

    /// <summary>OK with one affected row and an insert id.</summary>
    public static readonly byte[] Ok = Packet(1, [0x00, 1, 4, 2, 0, 0, 0]);

    private static byte[] BuildResultSet(int rows)
    {
        var bytes = new List<byte>();
        byte sequence = 1;
        bytes.AddRange(Packet(sequence++, [3]));
        foreach (var name in new[] { "id", "name", "price" })
        {
            bytes.AddRange(Column(sequence++, name));
        }

        for (int i = 0; i < rows; i++)
        {
            var id = Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            bytes.AddRange(Packet(sequence++, [(byte)id.Length, .. id, 6, .. "quince"u8, 4, .. "3.75"u8]));
        }

        bytes.AddRange(Packet(sequence, [0xFE, 0, 0, 2, 0, 0, 0]));
        return [.. bytes];
    }

    private static byte[] Column(byte sequence, string name)
    {
        var n = Encoding.ASCII.GetBytes(name);
        return Packet(sequence, [3, .. "def"u8, 4, .. "shop"u8, 5, .. "items"u8, 5, .. "items"u8, (byte)n.Length, .. n, (byte)n.Length, .. n, 0x0c, 45, 0, 11, 0, 0, 0, 3, 0, 0, 0, 0, 0]);
    }

    private static byte[] Packet(byte sequence, byte[] payload) =>
        [(byte)payload.Length, (byte)(payload.Length >> 8), (byte)(payload.Length >> 16), sequence, .. payload];
}
