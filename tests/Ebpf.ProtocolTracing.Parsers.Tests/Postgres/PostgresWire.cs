using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Postgres;

/// <summary>Builds protocol v3 messages byte by byte, as a client or server would send them.</summary>
internal static class PostgresWire
{
    public static byte[] Message(char type, params byte[][] fields)
    {
        int length = 4 + fields.Sum(f => f.Length);
        var message = new byte[1 + length];
        message[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), length);
        int at = 5;
        foreach (var field in fields)
        {
            field.CopyTo(message, at);
            at += field.Length;
        }

        return message;
    }

    public static byte[] CString(string text) => [.. Encoding.UTF8.GetBytes(text), 0];

    public static byte[] Int16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, (short)value);
        return bytes;
    }

    public static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static byte[] Startup(params (string Name, string Value)[] parameters)
    {
        var body = Concat([Int32(196608), .. parameters.SelectMany(p => new[] { CString(p.Name), CString(p.Value) }), [0]]);
        return Concat(Int32(body.Length + 4), body);
    }

    public static byte[] SslRequest() => Concat(Int32(8), Int32(80877103));

    public static byte[] Query(string sql) => Message('Q', CString(sql));

    public static byte[] Parse(string name, string sql, params int[] typeOids) =>
        Message('P', [CString(name), CString(sql), Int16(typeOids.Length), .. typeOids.Select(Int32)]);

    /// <summary>Bind with one format code per value (null value = SQL NULL).</summary>
    public static byte[] Bind(string portal, string statement, params (bool Binary, byte[]? Value)[] values) =>
        Message('B',
        [
            CString(portal), CString(statement),
            Int16(values.Length), .. values.Select(v => Int16(v.Binary ? 1 : 0)),
            Int16(values.Length), .. values.Select(v => v.Value is null ? Int32(-1) : Concat(Int32(v.Value.Length), v.Value)),
            Int16(0),
        ]);

    public static byte[] Describe(char target, string name) => Message('D', [(byte)target], CString(name));

    public static byte[] Execute(string portal = "", int maxRows = 0) => Message('E', CString(portal), Int32(maxRows));

    public static byte[] Sync() => Message('S');

    public static byte[] Password(string secret) => Message('p', CString(secret));

    public static byte[] AuthenticationOk() => Message('R', Int32(0));

    public static byte[] AuthenticationMd5(byte[] salt) => Message('R', Int32(5), salt);

    public static byte[] ParameterStatus(string name, string value) => Message('S', CString(name), CString(value));

    public static byte[] BackendKeyData(int pid, int secret) => Message('K', Int32(pid), Int32(secret));

    public static byte[] ReadyForQuery(char status = 'I') => Message('Z', [(byte)status]);

    public static byte[] RowDescription(params string[] columns) =>
        Message('T', [Int16(columns.Length), .. columns.Select(c => Concat(CString(c), Int32(0), Int16(0), Int32(25), Int16(-1), Int32(-1), Int16(0)))]);

    public static byte[] DataRow(params string?[] values) =>
        Message('D', [Int16(values.Length), .. values.Select(v => v is null ? Int32(-1) : Concat(Int32(Encoding.UTF8.GetByteCount(v)), Encoding.UTF8.GetBytes(v)))]);

    public static byte[] CommandComplete(string tag) => Message('C', CString(tag));

    public static byte[] Error(string sqlState, string message, string severity = "ERROR") =>
        Message('E', [(byte)'S'], CString(severity), [(byte)'V'], CString(severity), [(byte)'C'], CString(sqlState), [(byte)'M'], CString(message), [0]);

    public static byte[] Notice(string message) =>
        Message('N', [(byte)'S'], CString("NOTICE"), [(byte)'V'], CString("NOTICE"), [(byte)'C'], CString("00000"), [(byte)'M'], CString(message), [0]);

    public static byte[] ParseComplete() => Message('1');

    public static byte[] BindComplete() => Message('2');

    public static byte[] NoData() => Message('n');

    public static byte[] EmptyQuery() => Message('I');
}
