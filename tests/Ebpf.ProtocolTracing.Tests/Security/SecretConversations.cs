using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Tests.Security;

/// <summary>
/// One exchange per protocol with credentials, each carrying <see cref="Marker"/> wherever a credential
/// goes (client to server is egress).
/// </summary>
internal static class SecretConversations
{
    /// <summary>A string that appears nowhere else in the conversations.</summary>
    public const string Marker = "zQ9SeCrEtMaRkEr7x";

    private const StreamDirection Out = StreamDirection.Egress;
    private const StreamDirection In = StreamDirection.Ingress;

    public static List<(StreamDirection Direction, byte[] Bytes)> Http() =>
    [
        (Out, Ascii($"GET /orders HTTP/1.1\r\nHost: shop\r\nAuthorization: Bearer {Marker}\r\nProxy-Authorization: Basic {Marker}\r\nCookie: sid={Marker}; theme=dark\r\n\r\n")),
        (In, Ascii($"HTTP/1.1 200 OK\r\nSet-Cookie: sid={Marker}; HttpOnly\r\nContent-Length: 2\r\n\r\nok")),
    ];

    public static List<(StreamDirection Direction, byte[] Bytes)> Redis() =>
    [
        (Out, Ascii(Resp("AUTH", Marker))),
        (In, Ascii("+OK\r\n")),
        (Out, Ascii(Resp("AUTH", "default", Marker))),
        (In, Ascii("+OK\r\n")),
        (Out, Ascii(Resp("HELLO", "3", "AUTH", "default", Marker, "SETNAME", "app"))),
        (In, Ascii("%1\r\n+server\r\n+redis\r\n")),
        (Out, Ascii(Resp("MIGRATE", "h", "6379", "k", "0", "5000", "AUTH", Marker))),
        (In, Ascii("+OK\r\n")),
    ];

    public static List<(StreamDirection Direction, byte[] Bytes)> Nats() =>
    [
        (In, Ascii("INFO {\"server_id\":\"N1\",\"version\":\"2.9.10\",\"auth_required\":true,\"max_payload\":1048576}\r\n")),
        (Out, Ascii($"CONNECT {{\"verbose\":false,\"user\":\"app\",\"pass\":\"{Marker}\",\"auth_token\":\"{Marker}\",\"sig\":\"{Marker}\",\"jwt\":\"{Marker}\",\"nkey\":\"UABC\"}}\r\nPING\r\n")),
        (In, Ascii("PONG\r\n")),
    ];

    public static List<(StreamDirection Direction, byte[] Bytes)> PostgresCleartext() =>
    [
        (Out, PgStartup(("user", "alice"), ("database", "shop"))),
        (In, Pg('R', Int32(3))),
        (Out, Pg('p', [.. Ascii(Marker), 0])),
        (In, [.. Pg('R', Int32(0)), .. Pg('Z', [(byte)'I'])]),
        (Out, Pg('Q', [.. Ascii("select 1"), 0])),
        (In, [.. Pg('C', [.. Ascii("SELECT 1"), 0]), .. Pg('Z', [(byte)'I'])]),
    ];

    public static List<(StreamDirection Direction, byte[] Bytes)> PostgresScram() =>
    [
        (Out, PgStartup(("user", "alice"), ("database", "shop"))),
        (In, Pg('R', [.. Int32(10), .. Ascii("SCRAM-SHA-256"), 0, 0])),
        (Out, Pg('p', [.. Ascii("SCRAM-SHA-256"), 0, .. Int32(Ascii($"n,,n=,r={Marker}").Length), .. Ascii($"n,,n=,r={Marker}")])),
        (In, Pg('R', [.. Int32(11), .. Ascii($"r={Marker}srv,s=c2FsdA==,i=4096")])),
        (Out, Pg('p', Ascii($"c=biws,r={Marker}srv,p={Marker}"))),
        (In, [.. Pg('R', [.. Int32(12), .. Ascii("v=c2lnbmF0dXJl")]), .. Pg('R', Int32(0)), .. Pg('Z', [(byte)'I'])]),
        (Out, Pg('Q', [.. Ascii("select 1"), 0])),
        (In, [.. Pg('C', [.. Ascii("SELECT 1"), 0]), .. Pg('Z', [(byte)'I'])]),
    ];

    public static List<(StreamDirection Direction, byte[] Bytes)> MySql()
    {
        const uint capabilities = 0x0000_0008 | 0x0000_0200 | 0x0000_8000 | 0x0008_0000; // CONNECT_WITH_DB, PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH
        byte[] scramble1 = Ascii("abcdefgh");
        byte[] scramble2 = [.. Ascii("ijklmnopqrst"), 0];
        byte[] greeting =
        [
            10, .. Ascii("8.0.36"), 0, .. Int32Le(77), .. scramble1, 0,
            unchecked((byte)capabilities), unchecked((byte)(capabilities >> 8)), 0x21, 0x02, 0x00,
            unchecked((byte)(capabilities >> 16)), unchecked((byte)(capabilities >> 24)), 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            .. scramble2, .. Ascii("mysql_native_password"), 0,
        ];
        var auth = Ascii(Marker);
        byte[] response =
        [
            .. Int32Le((int)capabilities), .. Int32Le(16 * 1024 * 1024), 0x21, .. new byte[23],
            .. Ascii("app"), 0, (byte)auth.Length, .. auth, .. Ascii("shop"), 0, .. Ascii("mysql_native_password"), 0,
        ];
        return
        [
            (In, MySqlPacket(0, greeting)),
            (Out, MySqlPacket(1, response)),
            (In, MySqlPacket(2, [0, 0, 0, 2, 0, 0, 0])),
            (Out, MySqlPacket(0, [3, .. Ascii($"ALTER USER 'app'@'%' IDENTIFIED BY '{Marker}'")])),
            (In, MySqlPacket(1, [0, 0, 0, 2, 0, 0, 0])),
            (Out, MySqlPacket(0, [3, .. Ascii($"SET PASSWORD = PASSWORD('{Marker}')")])),
            (In, MySqlPacket(1, [0, 0, 0, 2, 0, 0, 0])),
        ];
    }

    public static List<(StreamDirection Direction, byte[] Bytes)> Http2()
    {
        byte[] request =
        [
            0x82, 0x86, 0x84, // :method GET, :scheme http, :path /
            0x01, .. HpackString("example.com"), // :authority (static name 1), not indexed
            0x00, .. HpackString("authorization"), .. HpackString($"Bearer {Marker}"),
            0x00, .. HpackString("cookie"), .. HpackString($"sid={Marker}"),
            0x00, .. HpackString("proxy-authorization"), .. HpackString($"Basic {Marker}"),
        ];
        byte[] response = [0x88, 0x00, .. HpackString("set-cookie"), .. HpackString($"sid={Marker}")];
        return
        [
            (Out, [.. Ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), .. Frame(0x4, 0, 0, [])]),
            (In, [.. Frame(0x4, 0, 0, []), .. Frame(0x4, 0x1, 0, [])]),
            (Out, [.. Frame(0x4, 0x1, 0, []), .. Frame(0x1, 0x5, 1, request)]),
            (In, [.. Frame(0x1, 0x4, 1, response), .. Frame(0x0, 0x1, 1, Ascii("ok"))]),
        ];
    }

    /// <summary>
    /// Kafka SASL/PLAIN: SaslHandshake v1 choosing PLAIN, SaslAuthenticate v1 whose auth bytes are
    /// "\0app\0password", then a Metadata v1 request, as a client on port 9092 sends them.
    /// </summary>
    public static List<(StreamDirection Direction, byte[] Bytes)> KafkaSaslPlain() =>
    [
        (Out, KafkaRequest(17, 1, 1, KafkaString("PLAIN"))),
        (In, KafkaResponse(1, [.. Int16(0), .. Int32(1), .. KafkaString("PLAIN")])),
        (Out, KafkaRequest(36, 1, 2, KafkaBytes([0, .. Ascii("app"), 0, .. Ascii(Marker)]))),
        (In, KafkaResponse(2, [.. Int16(0), .. Int16(-1), .. KafkaBytes([]), .. new byte[8]])),
        (Out, KafkaRequest(3, 1, 3, [.. Int32(1), .. KafkaString("orders")])),
        (In, KafkaResponse(3, [.. Int32(0), .. Int32(-1), .. Int32(0)])),
    ];

    /// <summary>
    /// AMQP 0-9-1: the protocol header, connection.start, a start-ok whose PLAIN response is
    /// "\0app\0password", secure/secure-ok, tune, open, and an update-secret carrying a new token.
    /// </summary>
    public static List<(StreamDirection Direction, byte[] Bytes)> Amqp() =>
    [
        (Out, Ascii("AMQP\0\0\u0009\u0001")),
        (In, AmqpMethod(10, 10, [0, 9, .. Int32(0), .. AmqpLongString(Ascii("PLAIN")), .. AmqpLongString(Ascii("en_US"))])),
        (Out, AmqpMethod(10, 11, [.. Int32(0), 5, .. Ascii("PLAIN"), .. AmqpLongString([0, .. Ascii("app"), 0, .. Ascii(Marker)]), 5, .. Ascii("en_US")])),
        (In, AmqpMethod(10, 20, AmqpLongString(Ascii("challenge")))),
        (Out, AmqpMethod(10, 21, AmqpLongString(Ascii(Marker)))),
        (In, AmqpMethod(10, 30, [.. Int16(2047), .. Int32(131072), .. Int16(60)])),
        (Out, [.. AmqpMethod(10, 31, [.. Int16(2047), .. Int32(131072), .. Int16(60)]), .. AmqpMethod(10, 40, [1, (byte)'/', 0, 0])]),
        (In, AmqpMethod(10, 41, [0])),
        (Out, AmqpMethod(10, 70, [.. AmqpLongString(Ascii(Marker)), 8, .. Ascii("rotation")])),
        (In, AmqpMethod(10, 71, [])),
    ];

    // DNS is not here: a DNS message carries names and addresses, never a credential, so the DNS parser has nothing to redact.

    /// <summary>An HTTP/1.1 exchange whose request and response both carry the field <paramref name="name"/>: <paramref name="value"/>.</summary>
    public static List<(StreamDirection Direction, byte[] Bytes)> Http1WithField(string name, string value) =>
    [
        (Out, Ascii($"GET /profile HTTP/1.1\r\nHost: shop\r\n{name}: {value}\r\nAccept: */*\r\n\r\n")),
        (In, Ascii($"HTTP/1.1 200 OK\r\n{name}: {value}\r\nContent-Length: 2\r\n\r\nok")),
    ];

    /// <summary>An HTTP/2 exchange whose request and response both carry the field <paramref name="name"/> (sent lowercase, as HTTP/2 requires).</summary>
    public static List<(StreamDirection Direction, byte[] Bytes)> Http2WithField(string name, string value)
    {
        var lower = name.ToLowerInvariant();
        byte[] request = [0x82, 0x86, 0x84, 0x01, .. HpackString("example.com"), 0x00, .. HpackString(lower), .. HpackString(value)];
        byte[] response = [0x88, 0x00, .. HpackString(lower), .. HpackString(value)];
        return
        [
            (Out, [.. Ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), .. Frame(0x4, 0, 0, [])]),
            (In, [.. Frame(0x4, 0, 0, []), .. Frame(0x4, 0x1, 0, [])]),
            (Out, [.. Frame(0x4, 0x1, 0, []), .. Frame(0x1, 0x5, 1, request)]),
            (In, [.. Frame(0x1, 0x4, 1, response), .. Frame(0x0, 0x1, 1, Ascii("ok"))]),
        ];
    }

    private static byte[] AmqpMethod(short classId, short methodId, byte[] arguments)
    {
        byte[] payload = [.. Int16(classId), .. Int16(methodId), .. arguments];
        return [1, 0, 0, .. Int32(payload.Length), .. payload, 0xCE];
    }

    private static byte[] AmqpLongString(byte[] value) => [.. Int32(value.Length), .. value];

    private static byte[] KafkaRequest(short apiKey, short apiVersion, int correlationId, byte[] body)
    {
        byte[] message = [.. Int16(apiKey), .. Int16(apiVersion), .. Int32(correlationId), .. KafkaString("app"), .. body];
        return [.. Int32(message.Length), .. message];
    }

    private static byte[] KafkaResponse(int correlationId, byte[] body) => [.. Int32(body.Length + 4), .. Int32(correlationId), .. body];

    private static byte[] KafkaString(string value) => [.. Int16((short)Ascii(value).Length), .. Ascii(value)];

    private static byte[] KafkaBytes(byte[] value) => [.. Int32(value.Length), .. value];

    private static byte[] Int16(short value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        return bytes;
    }

    private static string Resp(params string[] words)
    {
        var text = new StringBuilder().Append('*').Append(words.Length).Append("\r\n");
        foreach (var word in words)
        {
            text.Append('$').Append(Encoding.UTF8.GetByteCount(word)).Append("\r\n").Append(word).Append("\r\n");
        }

        return text.ToString();
    }

    private static byte[] Ascii(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int32Le(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Pg(char type, byte[] body) => [(byte)type, .. Int32(body.Length + 4), .. body];

    private static byte[] PgStartup(params (string Key, string Value)[] parameters)
    {
        var body = new List<byte>(Int32(196608));
        foreach (var (key, value) in parameters)
        {
            body.AddRange([.. Ascii(key), 0, .. Ascii(value), 0]);
        }

        body.Add(0);
        return [.. Int32(body.Count + 4), .. body];
    }

    private static byte[] MySqlPacket(byte sequence, byte[] payload) =>
        [(byte)payload.Length, (byte)(payload.Length >> 8), (byte)(payload.Length >> 16), sequence, .. payload];

    private static byte[] HpackString(string value)
    {
        var bytes = Ascii(value);
        if (bytes.Length >= 127)
        {
            throw new ArgumentException("Test strings are short: one-byte length prefix only.", nameof(value));
        }

        return [(byte)bytes.Length, .. bytes];
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload) =>
        [(byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, type, flags, .. Int32(stream), .. payload];
}
