using System.Text;
using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http;
using static Ebpf.ProtocolTracing.Parsers.Tests.Http2.Http2Wire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http2;

/// <summary>HTTP/2 and gRPC conversations as (direction, bytes) deliveries, and a full text view of records.</summary>
internal static class Http2Samples
{
    public const StreamDirection Out = StreamDirection.Egress;
    public const StreamDirection In = StreamDirection.Ingress;

    /// <summary>A protobuf message { 1: "world" } (HelloRequest-like).</summary>
    public static readonly byte[] HelloRequest = [0x0a, 0x05, .. "world"u8];

    /// <summary>A protobuf message { 1: "hello world", 2: 150 }.</summary>
    public static readonly byte[] HelloReply = [0x0a, 0x0b, .. "hello world"u8, 0x10, 0x96, 0x01];

    public static (StreamDirection, byte[])[] ClientStart() =>
    [
        (Out, Concat(Preface, Settings((0x3, 100), (0x4, 65535)), WindowUpdate(0, 1 << 20))),
        (In, Concat(Settings((0x3, 100), (0x5, 16384)), SettingsAck(), WindowUpdate(0, 1 << 20))),
        (Out, SettingsAck()),
    ];

    public static byte[] GetRequest(int stream, string path) => Headers(stream, HpackTestEncoder.Block(
        (":method", "GET"), (":scheme", "http"), (":path", path), (":authority", "example.com"),
        ("user-agent", "test/1.0"), ("authorization", "Bearer s3cr3t-t0ken"), ("cookie", "session=c00kie-value")), endStream: true);

    public static byte[] OkResponse(int stream, string contentType, bool endStream = false) => Headers(stream, HpackTestEncoder.Block(
        (":status", "200"), ("content-type", contentType), ("set-cookie", "id=setc00kie")), endStream);

    public static byte[] GrpcRequestHeaders(int stream, string path) => Headers(stream, HpackTestEncoder.Block(
        (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost:5000"),
        ("content-type", "application/grpc"), ("te", "trailers"), ("grpc-accept-encoding", "identity")));

    public static byte[] GrpcTrailers(int stream, int status, string? message = null)
    {
        var fields = new List<(string, string)> { ("grpc-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (message is not null)
        {
            fields.Add(("grpc-message", message));
        }

        return Headers(stream, HpackTestEncoder.Block([.. fields]), endStream: true);
    }

    /// <summary>Named conversations used by the split, gap and fuzz tests.</summary>
    public static readonly Dictionary<string, (StreamDirection Direction, byte[] Bytes)[]> Conversations = new()
    {
        ["get"] =
        [
            .. ClientStart(),
            (Out, GetRequest(1, "/index.html?q=1")),
            (In, Concat(OkResponse(1, "text/plain"), Data(1, "hello "u8), Data(1, "world"u8, endStream: true))),
        ],
        ["post-padded-continuation"] =
        [
            .. ClientStart(),
            (Out, Concat(
                Headers(1, HpackTestEncoder.Block((":method", "POST"), (":scheme", "https"), (":path", "/upload")), endHeaders: false),
                Continuation(1, HpackTestEncoder.Block(index: false, huffman: true, (":authority", "example.org"), ("content-length", "7")), endHeaders: true),
                PaddedData(1, "payload"u8, padding: 10, endStream: true))),
            (In, Concat(
                PaddedPriorityHeaders(1, HpackTestEncoder.Block((":status", "204")), padding: 3, endStream: true),
                Ping(), Ping(ack: true))),
        ],
        ["grpc-unary"] =
        [
            .. ClientStart(),
            (Out, Concat(GrpcRequestHeaders(1, "/greet.Greeter/SayHello"), Data(1, GrpcMessage(HelloRequest), endStream: true))),
            (In, Concat(OkResponse(1, "application/grpc"), Data(1, GrpcMessage(HelloReply)), GrpcTrailers(1, 0))),
        ],
        ["grpc-streams"] =
        [
            .. ClientStart(),
            (Out, Concat(GrpcRequestHeaders(1, "/greet.Greeter/Chat"), Data(1, Concat(GrpcMessage(HelloRequest), GrpcMessage(HelloRequest))))),
            (Out, Concat(GrpcRequestHeaders(3, "/greet.Greeter/Lots"), Data(3, GrpcMessage(HelloRequest), endStream: true))),
            (In, Concat(OkResponse(3, "application/grpc+proto"), Data(3, GrpcMessage(HelloReply)), Data(3, GrpcMessage(HelloReply)), Data(3, GrpcMessage(HelloReply)))),
            (In, Concat(OkResponse(1, "application/grpc"), Data(1, GrpcMessage(HelloReply)))),
            (Out, Concat(Data(1, GrpcMessage(HelloRequest)), Data(1, [], endStream: true))),
            (In, Concat(GrpcTrailers(3, 0), Data(1, GrpcMessage(HelloReply)), GrpcTrailers(1, 5, "no such%20thing"))),
        ],
        ["resets-and-goaway"] =
        [
            .. ClientStart(),
            (Out, Concat(GetRequest(1, "/slow"), GetRequest(3, "/cancelled"), GetRequest(5, "/never"))),
            (Out, RstStream(3, 8)),
            (In, Concat(OkResponse(1, "text/plain"), Data(1, "ok"u8, endStream: true), GoAway(1, 0, "bye"))),
        ],
    };

    /// <summary>Every field of every record, so two runs can be compared exactly.</summary>
    public static string Describe(IEnumerable<ProtocolRecord> records) => string.Join("\n", records.Select(Describe));

    public static string Describe(ProtocolRecord record) => record switch
    {
        HttpRecord h => $"http {h.Role} {h.StreamId} {h.Method} {h.Target} {h.Authority} {h.Scheme} {h.Version} -> {h.StatusCode} " +
            $"req[{Fields(h.RequestHeaders)}] body {h.RequestBodySize}:{Encoding.Latin1.GetString(h.RequestBody.Span)} " +
            $"resp[{Fields(h.ResponseHeaders)}] body {h.ResponseBodySize}:{Encoding.Latin1.GetString(h.ResponseBody.Span)} trailers[{Fields(h.ResponseTrailers)}] " +
            $"reset {h.ResetError} lost {h.DataLost} {h.RequestTime:O} {h.ResponseTime:O}",
        GrpcRecord g => $"grpc {g.Role} {g.StreamId} {g.Service} {g.Method} {g.Authority} -> {g.HttpStatus} {g.StatusCode} {g.StatusMessage} " +
            $"{g.RequestMessageCount}/{g.ResponseMessageCount} req[{string.Join(" | ", g.RequestMessages)}] resp[{string.Join(" | ", g.ResponseMessages)}] " +
            $"trailers[{Fields(g.Trailers)}] reset {g.ResetError} lost {g.DataLost} {g.RequestTime:O} {g.ResponseTime:O}",
        _ => record.ToString()!,
    };

    private static string Fields(HttpHeaders headers) => string.Join(", ", headers.Select(h => $"{h.Key}={h.Value}"));
}
