using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Parsers.Tests.MySql;

/// <summary>Builds wire packets by the protocol documentation, for feeding the parser.</summary>
internal static class MySqlPackets
{
    public const uint Protocol41 = 0x200;
    public const uint SecureConnection = 0x8000;
    public const uint ConnectWithDb = 0x8;
    public const uint PluginAuth = 0x80000;
    public const uint LenencAuth = 0x200000;
    public const uint DeprecateEof = 0x01000000;
    public const uint Ssl = 0x800;

    public const uint ClientCaps = Protocol41 | SecureConnection | ConnectWithDb | PluginAuth | LenencAuth;

    public static byte[] Packet(byte sequence, params byte[][] parts)
    {
        var payload = parts.SelectMany(p => p).ToArray();
        var packet = new byte[4 + payload.Length];
        packet[0] = (byte)payload.Length;
        packet[1] = (byte)(payload.Length >> 8);
        packet[2] = (byte)(payload.Length >> 16);
        packet[3] = sequence;
        payload.CopyTo(packet, 4);
        return packet;
    }

    public static byte[] Concat(params byte[][] packets) => packets.SelectMany(p => p).ToArray();

    public static byte[] U8(int value) => [(byte)value];

    public static byte[] U16(int value) => [(byte)value, (byte)(value >> 8)];

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] U64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] Nul(string text) => [.. Encoding.UTF8.GetBytes(text), 0];

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Lenenc(ulong value) => value switch
    {
        < 251 => [(byte)value],
        < 0x10000 => [0xFC, (byte)value, (byte)(value >> 8)],
        < 0x1000000 => [0xFD, (byte)value, (byte)(value >> 8), (byte)(value >> 16)],
        _ => [0xFE, .. U64(value)],
    };

    public static byte[] LenencString(string text) => [.. Lenenc((ulong)Encoding.UTF8.GetByteCount(text)), .. Text(text)];

    public static byte[] Greeting(string version = "10.11.19-MariaDB", uint connectionId = 42, uint caps = ClientCaps | DeprecateEof | Ssl) => Packet(0,
        U8(10), Nul(version), U32(connectionId), Text("abcdefgh"), U8(0), U16((int)(caps & 0xFFFF)), U8(45), U16(2),
        U16((int)(caps >> 16)), U8(21), new byte[10], Text("ijklmnopqrst"), U8(0), Nul("mysql_native_password"));

    public static byte[] HandshakeResponse(string user, byte[] authResponse, string? database, uint caps = ClientCaps, string plugin = "mysql_native_password") => Packet(1,
        U32(caps | (database is null ? 0 : ConnectWithDb)), U32(16 * 1024 * 1024), U8(45), new byte[23], Nul(user),
        Lenenc((ulong)authResponse.Length), authResponse, database is null ? [] : Nul(database), Nul(plugin));

    public static byte[] SslRequest(uint caps = ClientCaps | Ssl) => Packet(1, U32(caps), U32(16 * 1024 * 1024), U8(45), new byte[23]);

    public static byte[] Ok(byte sequence, ulong affected = 0, ulong lastInsertId = 0, int status = 2, int warnings = 0, byte header = 0) =>
        Packet(sequence, U8(header), Lenenc(affected), Lenenc(lastInsertId), U16(status), U16(warnings));

    public static byte[] Err(byte sequence, int code, string state, string message) =>
        Packet(sequence, U8(0xFF), U16(code), Text("#" + state), Text(message));

    public static byte[] Eof(byte sequence, int status = 2) => Packet(sequence, U8(0xFE), U16(0), U16(status));

    public static byte[] Command(byte code, params byte[][] body) => Packet(0, [U8(code), .. body]);

    public static byte[] Query(string sql) => Command(0x03, Text(sql));

    public static byte[] Prepare(string sql) => Command(0x16, Text(sql));

    public static byte[] ColumnDefinition(byte sequence, string name) => Packet(sequence,
        LenencString("def"), LenencString("db"), LenencString("t"), LenencString("t"), LenencString(name), LenencString(name),
        U8(0x0c), U16(45), U32(11), U8(3), U16(0), U8(0), U16(0));

    public static byte[] TextRow(byte sequence, params string?[] values) =>
        Packet(sequence, values.SelectMany(v => v is null ? new byte[] { 0xFB } : LenencString(v)).ToArray());

    /// <summary>A text result set with <paramref name="rows"/> rows of one column; classic EOFs unless <paramref name="deprecateEof"/>.</summary>
    public static byte[] ResultSet(int rows, bool deprecateEof, string column = "c")
    {
        byte seq = 1;
        var parts = new List<byte[]> { Packet(seq++, Lenenc(1)), ColumnDefinition(seq++, column) };
        if (!deprecateEof)
        {
            parts.Add(Eof(seq++));
        }

        for (int i = 0; i < rows; i++)
        {
            parts.Add(TextRow(seq++, "v" + i));
        }

        parts.Add(deprecateEof ? Ok(seq, header: 0xFE) : Eof(seq));
        return Concat([.. parts]);
    }

    /// <summary>COM_STMT_PREPARE_OK plus definitions.</summary>
    public static byte[] PrepareOk(uint statementId, int columns, int parameters, bool deprecateEof)
    {
        byte seq = 1;
        var parts = new List<byte[]> { Packet(seq++, U8(0), U32(statementId), U16(columns), U16(parameters), U8(0), U16(0)) };
        for (int i = 0; i < parameters; i++)
        {
            parts.Add(ColumnDefinition(seq++, "?"));
        }

        if (parameters > 0 && !deprecateEof)
        {
            parts.Add(Eof(seq++));
        }

        for (int i = 0; i < columns; i++)
        {
            parts.Add(ColumnDefinition(seq++, "c" + i));
        }

        if (columns > 0 && !deprecateEof)
        {
            parts.Add(Eof(seq++));
        }

        return Concat([.. parts]);
    }

    /// <summary>COM_STMT_EXECUTE with the null bitmap, new-params-bound flag, types and values already encoded.</summary>
    public static byte[] Execute(uint statementId, int parameterCount, bool[] nulls, (byte Type, bool Unsigned)[]? types, byte[] values)
    {
        var bitmap = new byte[(parameterCount + 7) / 8];
        for (int i = 0; i < nulls.Length; i++)
        {
            if (nulls[i])
            {
                bitmap[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        var typeBytes = types is null ? [] : types.SelectMany(t => new byte[] { t.Type, (byte)(t.Unsigned ? 0x80 : 0) }).ToArray();
        return parameterCount == 0
            ? Command(0x17, U32(statementId), U8(0), U32(1))
            : Command(0x17, U32(statementId), U8(0), U32(1), bitmap, U8(types is null ? 0 : 1), typeBytes, values);
    }
}
