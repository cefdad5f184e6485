using Ebpf.ProtocolTracing.Amqp;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Http2;
using Ebpf.ProtocolTracing.Kafka;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.MySql;
using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Postgres;
using Ebpf.ProtocolTracing.Redis;
using Ebpf.ProtocolTracing.Tests.Tracking;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Security;

/// <summary>
/// Credentials of every built-in protocol that carries them reach no record field, no record text, no
/// log line and no exception message with the default options, whole or damaged, while each parser's
/// documented opt-out (RedactSecrets = false) does show them, which proves the scan would see a leak.
/// </summary>
public sealed class SecretRedactionTests
{
    private const string Marker = SecretConversations.Marker;

    public static TheoryData<string> Cases => ["http", "http2", "redis", "nats", "postgres-cleartext", "postgres-scram", "mysql", "amqp"];

    /// <summary>Protocols whose credentials are never decoded at all, so there is no opt-out to show them (see <see cref="NeverDecoded_TheExchangeIsStillParsed"/>).</summary>
    public static TheoryData<string> NeverDecodedCases => ["kafka"];

    [Theory]
    [MemberData(nameof(Cases))]
    [MemberData(nameof(NeverDecodedCases))]
    public void DefaultOptions_KeepTheSecretOutOfRecordsTextAndLogs(string name)
    {
        var (parser, port, conversation) = Case(name, redact: true);
        var logger = new CapturingLogger();

        var records = Run(parser, port, conversation, logger);

        Assert.NotEmpty(records);
        foreach (var record in records)
        {
            Assert.Empty(SecretLeakScanner.Find(record, Marker));
        }

        Assert.DoesNotContain(logger.Lines, line => line.Contains(Marker, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    [MemberData(nameof(NeverDecodedCases))]
    public void DamagedExchanges_KeepTheSecretOutOfRecordsAndLogs(string name)
    {
        var (parser, port, conversation) = Case(name, redact: true);
        for (int cut = 1; cut <= 7; cut += 3)
        {
            // Each delivery loses its first bytes: frames start mid-way, lengths are wrong, resyncs happen.
            var damaged = conversation.Select(step => (step.Direction, step.Bytes.Length > cut ? step.Bytes[cut..] : step.Bytes)).ToList();
            var logger = new CapturingLogger();

            var records = Run(parser, port, damaged, logger);

            foreach (var record in records)
            {
                Assert.Empty(SecretLeakScanner.Find(record, Marker));
            }

            Assert.DoesNotContain(logger.Lines, line => line.Contains(Marker, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RedactSecretsOff_ShowsTheSecret(string name)
    {
        var (parser, port, conversation) = Case(name, redact: false);

        var records = Run(parser, port, conversation, new CapturingLogger());

        Assert.Contains(records, record => SecretLeakScanner.Find(record, Marker).Count > 0);
    }

    /// <summary>
    /// Kafka never decodes SaslAuthenticate, whatever RedactSecrets says, so no record can show the
    /// password; this proves the scan above had records to look at: each exchange, SASL ones included, is parsed.
    /// </summary>
    [Fact]
    public void NeverDecoded_TheExchangeIsStillParsed()
    {
        var (parser, port, conversation) = Case("kafka", redact: false);

        var records = Run(parser, port, conversation, new CapturingLogger()).OfType<KafkaRecord>().ToList();

        Assert.Equal([KafkaApiKey.SaslHandshake, KafkaApiKey.SaslAuthenticate, KafkaApiKey.Metadata], records.Select(r => r.ApiKey));
        Assert.All(records, r => Assert.Equal("app", r.ClientId));
        Assert.All(records, r => Assert.NotNull(r.ResponseTime)); // each paired with its response
        Assert.All(records, r => Assert.Empty(SecretLeakScanner.Find(r, Marker)));
    }

    private static (IProtocolParser Parser, int Port, List<(StreamDirection Direction, byte[] Bytes)> Conversation) Case(string name, bool redact) => name switch
    {
        "http" => (new HttpParser(new HttpParserOptions { RedactSecrets = redact }), 8080, SecretConversations.Http()),
        "http2" => (new Http2Parser(new Http2ParserOptions { RedactSecrets = redact }), 8081, SecretConversations.Http2()),
        "redis" => (new RedisParser(new RedisParserOptions { RedactSecrets = redact }), 6379, SecretConversations.Redis()),
        "nats" => (new NatsParser(new NatsParserOptions { RedactSecrets = redact }), 4222, SecretConversations.Nats()),
        "postgres-cleartext" => (new PostgresParser(new PostgresParserOptions { RedactSecrets = redact }), 5432, SecretConversations.PostgresCleartext()),
        "postgres-scram" => (new PostgresParser(new PostgresParserOptions { RedactSecrets = redact }), 5432, SecretConversations.PostgresScram()),
        "mysql" => (new MySqlParser(new MySqlParserOptions { RedactSecrets = redact }), 3306, SecretConversations.MySql()),
        "kafka" => (new KafkaParser(new KafkaParserOptions { RedactSecrets = redact }), 9092, SecretConversations.KafkaSaslPlain()),
        "amqp" => (new AmqpParser(new AmqpParserOptions { RedactSecrets = redact }), 5672, SecretConversations.Amqp()),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such case."),
    };

    /// <summary>Plays the conversation through a real tracker as kernel events of one client connection.</summary>
    internal static List<ProtocolRecord> Run(IProtocolParser parser, int port, List<(StreamDirection Direction, byte[] Bytes)> conversation, CapturingLogger logger)
    {
        var records = new List<ProtocolRecord>();
        var registry = new ParserRegistry([parser], new Dictionary<int, string> { [port] = parser.Name });
        var tracker = new ConnectionTracker(registry, new ProtocolTracingOptions(), records.Add, new KernelClock(TrackerHarness.MonotonicZero), logger: logger);
        var id = TrackerHarness.Id();
        ulong now = 1_000_000;
        var open = TrackerHarness.OpenEvent(id, now, remotePort: port);
        tracker.OnOpen(in open);
        var positions = new long[2];
        foreach (var (direction, bytes) in conversation)
        {
            now += 1_000_000;
            var data = new DataEvent
            {
                Header = new KernelEventHeader
                {
                    Kind = KernelEventKind.Data,
                    Tid = (uint)id.Pid,
                    TimestampNs = now,
                    Conn = new KernelConnKey((uint)id.Pid, id.Fd, id.Generation),
                },
                Position = (ulong)positions[(int)direction],
                CapturedLength = (uint)bytes.Length,
                OriginalLength = (uint)bytes.Length,
                Direction = direction,
                Source = direction == StreamDirection.Egress ? KernelSource.Write : KernelSource.Read,
            };
            tracker.OnData(in data, bytes);
            positions[(int)direction] += bytes.Length;
        }

        var close = new CloseEvent
        {
            Header = new KernelEventHeader
            {
                Kind = KernelEventKind.Close,
                Tid = (uint)id.Pid,
                TimestampNs = now + 1_000_000,
                Conn = new KernelConnKey((uint)id.Pid, id.Fd, id.Generation),
            },
            BytesSent = (ulong)positions[0],
            BytesReceived = (ulong)positions[1],
        };
        tracker.OnClose(in close);
        tracker.CompleteAll();
        return records;
    }
}
