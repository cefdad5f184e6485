using System.Buffers.Binary;
using System.Text;
using Ebpf.ProtocolTracing.Cassandra;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsers.Tests.Kafka;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Cassandra;

/// <summary>Builds CQL v4 frames from the notations of native_protocol_v4.spec section 3, in the order section 4 lists the fields.</summary>
internal sealed class CqlWire
{
    private readonly List<byte> _body = [];

    public CqlWire Byte(int value)
    {
        _body.Add((byte)value);
        return this;
    }

    public CqlWire Short(int value)
    {
        _body.Add((byte)(value >> 8));
        _body.Add((byte)value);
        return this;
    }

    public CqlWire Int(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        _body.AddRange(b.ToArray());
        return this;
    }

    public CqlWire String(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        Short(utf8.Length);
        _body.AddRange(utf8);
        return this;
    }

    public CqlWire LongString(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        Int(utf8.Length);
        _body.AddRange(utf8);
        return this;
    }

    public CqlWire Bytes(byte[] value)
    {
        Int(value.Length);
        _body.AddRange(value);
        return this;
    }

    public CqlWire ShortBytes(byte[] value)
    {
        Short(value.Length);
        _body.AddRange(value);
        return this;
    }

    public byte[] Frame(int version, int stream, CassandraOpcode opcode, int flags = 0)
    {
        var frame = new byte[9 + _body.Count];
        frame[0] = (byte)version;
        frame[1] = (byte)flags;
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(2), (short)stream);
        frame[4] = (byte)opcode;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), _body.Count);
        _body.CopyTo(frame, 9);
        return frame;
    }

    public byte[] Request(int stream, CassandraOpcode opcode) => Frame(0x04, stream, opcode);

    public byte[] Response(int stream, CassandraOpcode opcode) => Frame(0x84, stream, opcode);

    /// <summary>OPTIONS on stream 0, v4, written out byte by byte: version 0x04, flags 0, stream 0, opcode 0x05, length 0.</summary>
    public static readonly byte[] OptionsV4 = Convert.FromHexString("040000000500000000");

    public static byte[] Startup(int stream) =>
        new CqlWire().Short(1).String("CQL_VERSION").String("3.0.0").Request(stream, CassandraOpcode.Startup);

    public static byte[] Supported(int stream) =>
        new CqlWire().Short(1).String("CQL_VERSION").Short(1).String("3.4.5").Response(stream, CassandraOpcode.Supported);

    public static byte[] Ready(int stream) => new CqlWire().Response(stream, CassandraOpcode.Ready);

    /// <summary>QUERY: [long string] query, [consistency], [byte] flags (0x04 page size), [int] page size.</summary>
    public static byte[] Query(int stream, string query, CassandraConsistency consistency = CassandraConsistency.LocalOne) =>
        new CqlWire().LongString(query).Short((short)consistency).Byte(0x04).Int(5000).Request(stream, CassandraOpcode.Query);

    /// <summary>RESULT Rows: global table spec, columns (text, int, list&lt;text&gt;, map&lt;text,int&gt;, a UDT), then rows.</summary>
    public static byte[] Rows(int stream, int rows)
    {
        var w = new CqlWire().Int(2).Int(0x0001).Int(5).String("ks").String("users")
            .String("name").Short(0x000D)
            .String("age").Short(0x0009)
            .String("tags").Short(0x0020).Short(0x000D)
            .String("scores").Short(0x0021).Short(0x000D).Short(0x0009)
            .String("address").Short(0x0030).String("ks").String("addr").Short(2).String("street").Short(0x000D).String("zip").Short(0x0009)
            .Int(rows);
        for (int r = 0; r < rows; r++)
        {
            w.Bytes(Encoding.UTF8.GetBytes($"user{r}")).Bytes([0, 0, 0, (byte)r]).Bytes([0, 0, 0, 0]).Bytes([0, 0, 0, 0]).Bytes([]);
        }

        return w.Response(stream, CassandraOpcode.Result);
    }

    public static byte[] Void(int stream) => new CqlWire().Int(1).Response(stream, CassandraOpcode.Result);

    public static byte[] SetKeyspace(int stream, string keyspace) => new CqlWire().Int(3).String(keyspace).Response(stream, CassandraOpcode.Result);

    public static byte[] SchemaChange(int stream) =>
        new CqlWire().Int(5).String("CREATED").String("TABLE").String("ks").String("users").Response(stream, CassandraOpcode.Result);

    public static byte[] Prepare(int stream, string query) => new CqlWire().LongString(query).Request(stream, CassandraOpcode.Prepare);

    /// <summary>RESULT Prepared (v4): id, metadata (flags, column count, pk count, pk indexes, columns), result metadata (no_metadata).</summary>
    public static byte[] Prepared(int stream, byte[] id) =>
        new CqlWire().Int(4).ShortBytes(id)
            .Int(0x0001).Int(1).Int(1).Short(0).String("ks").String("users").String("name").Short(0x000D)
            .Int(0x0004).Int(0)
            .Response(stream, CassandraOpcode.Result);

    /// <summary>EXECUTE (v4): [short bytes] id, [consistency], flags 0x01 values, one value.</summary>
    public static byte[] Execute(int stream, byte[] id, CassandraConsistency consistency = CassandraConsistency.Quorum) =>
        new CqlWire().ShortBytes(id).Short((short)consistency).Byte(0x01).Short(1).Bytes(Encoding.UTF8.GetBytes("user1")).Request(stream, CassandraOpcode.Execute);

    /// <summary>BATCH: logged, a query with one value and a prepared id, then [consistency] and flags.</summary>
    public static byte[] Batch(int stream, byte[] id) =>
        new CqlWire().Byte(0).Short(2)
            .Byte(0).LongString("INSERT INTO ks.users (name) VALUES (?)").Short(1).Bytes([0x61])
            .Byte(1).ShortBytes(id).Short(1).Bytes([0x62])
            .Short((short)CassandraConsistency.Quorum).Byte(0)
            .Request(stream, CassandraOpcode.Batch);

    public static byte[] Error(int stream, int code, string message) => new CqlWire().Int(code).String(message).Response(stream, CassandraOpcode.Error);

    public static byte[] Register(int stream) =>
        new CqlWire().Short(2).String("TOPOLOGY_CHANGE").String("SCHEMA_CHANGE").Request(stream, CassandraOpcode.Register);

    public static byte[] Event() =>
        new CqlWire().String("STATUS_CHANGE").String("UP").Byte(4).Raw([127, 0, 0, 1]).Int(9042).Response(-1, CassandraOpcode.Event);

    public static byte[] Authenticate(int stream) =>
        new CqlWire().String("org.apache.cassandra.auth.PasswordAuthenticator").Response(stream, CassandraOpcode.Authenticate);

    /// <summary>AUTH_RESPONSE with a PLAIN token: \0user\0password.</summary>
    public static byte[] AuthResponse(int stream, string user, string password) =>
        new CqlWire().Bytes(Encoding.UTF8.GetBytes($"\0{user}\0{password}")).Request(stream, CassandraOpcode.AuthResponse);

    public static byte[] AuthSuccess(int stream) => new CqlWire().Int(-1).Response(stream, CassandraOpcode.AuthSuccess);

    public CqlWire Raw(byte[] bytes)
    {
        _body.AddRange(bytes);
        return this;
    }

    public static readonly byte[] StatementId = [0xCA, 0xFE, 0xBA, 0xBE, 1, 2, 3, 4];

    /// <summary>A driver's session: OPTIONS, STARTUP, USE, a query, prepare and execute, a batch, an error, REGISTER and an EVENT.</summary>
    public static (StreamDirection Direction, byte[] Bytes)[] Session() =>
    [
        (StreamDirection.Egress, OptionsV4),
        (StreamDirection.Ingress, Supported(0)),
        (StreamDirection.Egress, Startup(0)),
        (StreamDirection.Ingress, Ready(0)),
        (StreamDirection.Egress, [.. Query(1, "USE ks"), .. Query(2, "SELECT name, age, tags, scores, address FROM users"), .. Prepare(3, "SELECT * FROM users WHERE name = ?")]),
        // Stream ids pair responses that come back out of order.
        (StreamDirection.Ingress, [.. Rows(2, 3), .. SetKeyspace(1, "ks"), .. Prepared(3, StatementId)]),
        (StreamDirection.Egress, [.. Execute(4, StatementId), .. Batch(5, StatementId), .. Query(6, "SELEC oops"), .. Query(7, "CREATE TABLE ks.t (a int PRIMARY KEY)"), .. Register(8)]),
        (StreamDirection.Ingress, [.. Rows(4, 1), .. Void(5), .. Error(6, 0x2000, "line 1:0 no viable alternative at input 'SELEC'"), .. SchemaChange(7), .. Ready(8), .. Event()]),
    ];

    public static ParserDriver Driver(CassandraParserOptions? options = null, bool multiSegment = false, ConnectionRole? role = null)
    {
        IProtocolParser parser = new CassandraParser(options ?? new CassandraParserOptions());
        return new ParserDriver(role is { } r ? new RoleOverrideParser(parser, r) : parser, multiSegment);
    }

    public static string Describe(CassandraRecord r) =>
        $"{r} v{r.ProtocolVersion} s{r.StreamId} {r.ResponseOpcode} id={r.PreparedId} kind={r.ResultKind} rows={r.RowCount} d={r.ResultDetail} " +
        $"e={r.ErrorCode} b={r.BatchSize} c={r.Compressed} req={r.RequestSize} resp={r.ResponseSize} lost={r.DataLost} at={r.RequestTime:O}/{r.ResponseTime:O}";
}

internal static class CqlDriverExtensions
{
    public static List<CassandraRecord> CqlRecords(this ParserDriver driver) => driver.Context.Records.Cast<CassandraRecord>().ToList();
}
