using System.Buffers.Binary;
using System.Text;
using Ebpf.ProtocolTracing.Parsers.Tests.Http2;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Benchmarks.Pipeline;

/// <summary>
/// One protocol's keep-alive traffic: what a connection says first (handshake), then one request and
/// one response per exchange, each making one record.
/// </summary>
internal sealed class PipelineScenario
{
    private PipelineScenario(string name, int port, WellKnownProtocol kernelGuess, Func<int, byte[]> request, Func<int, byte[]> response)
    {
        Name = name;
        Port = port;
        KernelGuess = kernelGuess;
        Request = request;
        Response = response;
    }

    /// <summary>The benchmark parameter's name.</summary>
    public string Name { get; }

    /// <summary>The server's port.</summary>
    public int Port { get; }

    /// <summary>What the kernel's cheap protocol guess says on each data event.</summary>
    public WellKnownProtocol KernelGuess { get; }

    /// <summary>Bytes the client sends once, before its first request.</summary>
    public byte[] ClientPreamble { get; private init; } = [];

    /// <summary>Bytes the server sends once, before its first response.</summary>
    public byte[] ServerPreamble { get; private init; } = [];

    /// <summary>Records each connection's handshake makes (PostgreSQL's startup is one), besides one per exchange.</summary>
    public int HandshakeRecords { get; private init; }

    /// <summary>The request of exchange <c>i</c>.</summary>
    public Func<int, byte[]> Request { get; }

    /// <summary>The response of exchange <c>i</c>.</summary>
    public Func<int, byte[]> Response { get; }

    /// <summary>Finds a scenario by <see cref="Name"/>.</summary>
    public static PipelineScenario Get(string name) => name switch
    {
        "Http1Api" => Http1Api(),
        "Http1Browser" => Http1Browser(),
        "Redis" => Redis(),
        "Postgres" => Postgres(),
        "Http2" => Http2(),
        _ => throw new ArgumentException($"No pipeline scenario named '{name}'.", nameof(name)),
    };

    /// <summary>A service calling a JSON API: 4 request fields (~130 B), an nginx-style response with 6 fields and a 60-byte body.</summary>
    private static PipelineScenario Http1Api() => new(
        "Http1Api",
        8080,
        WellKnownProtocol.Http,
        i => Ascii(
            $"GET /api/v1/items/{i % 100_000} HTTP/1.1\r\n" +
            "Host: inventory.internal:8080\r\n" +
            "User-Agent: orders-service/2.3\r\n" +
            "Accept: application/json\r\n" +
            $"X-Request-Id: {i:x16}\r\n" +
            "\r\n"),
        i =>
        {
            var body = $"{{\"id\":{i % 100_000,6},\"name\":\"widget\",\"price\":12.50,\"stock\":17}}";
            return Ascii(
                "HTTP/1.1 200 OK\r\n" +
                "Server: nginx/1.24.0\r\n" +
                "Date: Tue, 24 Nov 2026 12:00:00 GMT\r\n" +
                "Content-Type: application/json\r\n" +
                $"Content-Length: {body.Length}\r\n" +
                "Connection: keep-alive\r\n" +
                "Cache-Control: no-store\r\n" +
                "\r\n" + body);
        });

    /// <summary>The browser navigation of the HTTP frame-scan benchmark (545-byte head) and its JSON response.</summary>
    private static PipelineScenario Http1Browser() => new(
        "Http1Browser",
        80,
        WellKnownProtocol.Http,
        _ => Http.HttpBenchmarkPayloads.RequestHead,
        _ => [.. Http.HttpBenchmarkPayloads.ResponseHead, .. Http.HttpBenchmarkPayloads.ResponseBody]);

    /// <summary>GET of a cached JSON value (RESP2).</summary>
    private static PipelineScenario Redis() => new(
        "Redis",
        6379,
        WellKnownProtocol.Redis,
        i =>
        {
            var key = $"user:{i % 100_000:D6}";
            return Ascii($"*2\r\n$3\r\nGET\r\n${key.Length}\r\n{key}\r\n");
        },
        i =>
        {
            var value = $"{{\"id\":{i % 100_000,6},\"name\":\"ada\"}}";
            return Ascii($"${value.Length}\r\n{value}\r\n");
        });

    /// <summary>Simple-query protocol after a startup: one query, a row description, one row, the command tag.</summary>
    private static PipelineScenario Postgres() => new(
        "Postgres",
        5432,
        WellKnownProtocol.Postgres,
        i => PgMessage('Q', CString($"select id, name, price from products where id = {i % 100_000}")),
        i => Concat(
            PgMessage('T', Int16(3), RowField("id", 23), RowField("name", 25), RowField("price", 1700)),
            PgMessage('D', Int16(3), PgValue($"{i % 100_000}"), PgValue("widget"), PgValue("12.50")),
            PgMessage('C', CString("SELECT 1")),
            PgMessage('Z', [(byte)'I'])))
    {
        ClientPreamble = PgStartup(),
        HandshakeRecords = 1,
        ServerPreamble = Concat(
            PgMessage('R', Int32(0)),
            PgMessage('S', CString("server_version"), CString("16.4")),
            PgMessage('S', CString("client_encoding"), CString("UTF8")),
            PgMessage('K', Int32(4242), Int32(777)),
            PgMessage('Z', [(byte)'I'])),
    };

    /// <summary>
    /// h2c: the preface and SETTINGS, then per exchange a GET as one HEADERS frame (END_STREAM) and a
    /// response HEADERS frame plus one DATA frame (END_STREAM). Header blocks use the HPACK static table
    /// and literals without indexing, so no dynamic table state is needed.
    /// </summary>
    private static PipelineScenario Http2() => new(
        "Http2",
        8443,
        WellKnownProtocol.Http2,
        i =>
        {
            var path = Ascii($"/api/v1/items/{i % 100_000}");
            var authority = Ascii("inventory.internal");
            byte[] block = [0x82, 0x86, 0x04, (byte)path.Length, .. path, 0x01, (byte)authority.Length, .. authority];
            return Http2Wire.Frame(0x1, 0x5, StreamId(i), block);
        },
        i =>
        {
            var contentType = Ascii("application/json");
            byte[] block = [0x88, 0x0F, 0x10, (byte)contentType.Length, .. contentType];
            var body = Ascii($"{{\"id\":{i % 100_000,6},\"name\":\"widget\",\"price\":12.50}}");
            return Concat(Http2Wire.Frame(0x1, 0x4, StreamId(i), block), Http2Wire.Frame(0x0, 0x1, StreamId(i), body));
        })
    {
        ClientPreamble = Concat(Http2Wire.Preface, Http2Wire.Settings()),
        ServerPreamble = Concat(Http2Wire.Settings(), Http2Wire.SettingsAck()),
    };

    // Each connection's exchanges use client stream ids 1, 3, 5, ...
    private static int StreamId(int exchange) => (2 * (exchange / PipelineRecording.Connections)) + 1;

    private static byte[] PgStartup()
    {
        var parameters = Concat(CString("user"), CString("app"), CString("database"), CString("shop"), [0]);
        var message = new byte[8 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, message.Length);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), 196_608);
        parameters.CopyTo(message, 8);
        return message;
    }

    private static byte[] PgMessage(char type, params byte[][] fields)
    {
        var body = Concat(fields);
        var message = new byte[5 + body.Length];
        message[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + body.Length);
        body.CopyTo(message, 5);
        return message;
    }

    private static byte[] RowField(string name, int typeOid) =>
        Concat(CString(name), Int32(0), Int16(0), Int32(typeOid), Int16(-1), Int32(-1), Int16(0));

    private static byte[] PgValue(string value) => Concat(Int32(Encoding.UTF8.GetByteCount(value)), Encoding.UTF8.GetBytes(value));

    private static byte[] CString(string text) => [.. Encoding.UTF8.GetBytes(text), 0];

    private static byte[] Int16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, (short)value);
        return bytes;
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Concat(params byte[][] parts)
    {
        var length = 0;
        foreach (var part in parts)
        {
            length += part.Length;
        }

        var result = new byte[length];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }
}
