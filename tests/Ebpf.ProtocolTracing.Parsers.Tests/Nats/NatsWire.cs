using System.Globalization;
using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Nats;

/// <summary>Builds NATS protocol text and drives the NATS parser in tests.</summary>
internal static class NatsWire
{
    public const string Info = "INFO {\"server_id\":\"NABC\",\"server_name\":\"srv\",\"version\":\"2.9.10\",\"max_payload\":1048576,\"headers\":true}\r\n";

    public static string Pub(string subject, string payload, string? replyTo = null) =>
        string.Create(CultureInfo.InvariantCulture, $"PUB {subject} {(replyTo is null ? "" : replyTo + " ")}{payload.Length}\r\n{payload}\r\n");

    public static string HPub(string subject, string headers, string payload, string? replyTo = null) =>
        string.Create(CultureInfo.InvariantCulture, $"HPUB {subject} {(replyTo is null ? "" : replyTo + " ")}{headers.Length} {headers.Length + payload.Length}\r\n{headers}{payload}\r\n");

    public static string Msg(string subject, string sid, string payload, string? replyTo = null) =>
        string.Create(CultureInfo.InvariantCulture, $"MSG {subject} {sid} {(replyTo is null ? "" : replyTo + " ")}{payload.Length}\r\n{payload}\r\n");

    public static string HMsg(string subject, string sid, string headers, string payload) =>
        string.Create(CultureInfo.InvariantCulture, $"HMSG {subject} {sid} {headers.Length} {headers.Length + payload.Length}\r\n{headers}{payload}\r\n");

    public static ParserDriver Driver(NatsParserOptions? options = null, bool multiSegment = false, ConnectionRole? role = null) =>
        Driver(new NatsParser(options ?? new NatsParserOptions()), multiSegment, role);

    /// <summary>Drives any parser, optionally as if the connection had another role (unknown: joined mid-stream).</summary>
    public static ParserDriver Driver(IProtocolParser parser, bool multiSegment, ConnectionRole? role) =>
        new(role is { } r ? new RoleOverride(parser, r) : parser, multiSegment);

    public static List<NatsRecord> Records(this ParserDriver driver) => driver.Context.Records.Cast<NatsRecord>().ToList();

    /// <summary>Every field that a split or a segment boundary could change, on one line.</summary>
    public static string Describe(NatsRecord r) =>
        $"{r.Kind}|{r.Subject}|{r.ReplyTo}|{r.Sid}|{r.QueueGroup}|{r.MaxMessages}|{r.PayloadSize}|{r.HeaderSize}|{r.Payload}|" +
        $"{string.Join(",", r.Headers.Select(h => h.Key + "=" + h.Value))}|{r.HeaderStatus}|{r.Reply}|{r.ErrorMessage}|{r.Name}|{r.Version}|" +
        $"{r.Verbose}|{r.ServerId}|{string.Join(",", r.Credentials)}|{r.DataLost}|{r.Role}|{r.RequestTime:O}|{r.ResponseTime:O}";

    public static string DescribeAll(this ParserDriver driver) => string.Join("\n", driver.Records().Select(Describe));

    /// <summary>Hands the connection parser a context whose connection has another role (e.g. unknown, as when joined mid-stream).</summary>
    private sealed class RoleOverride(IProtocolParser inner, ConnectionRole role) : IProtocolParser
    {
        public string Name => inner.Name;

        public WellKnownProtocol KernelProtocol => inner.KernelProtocol;

        public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => inner.Infer(data, direction);

        public IConnectionParser CreateConnectionParser(IParseContext context) =>
            inner.CreateConnectionParser(new Context(context, context.Connection with { Role = role }));

        private sealed class Context(IParseContext inner, ConnectionInfo connection) : IParseContext
        {
            public ConnectionInfo Connection => connection;

            public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) => inner.TimeAt(direction, streamPosition);

            public void Emit(ProtocolRecord record) => inner.Emit(record);
        }
    }
}
