using System.Text;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsers.Tests.Http2;
using Ebpf.ProtocolTracing.Parsers.Tests.MySql;
using Ebpf.ProtocolTracing.Parsers.Tests.Nats;
using Ebpf.ProtocolTracing.Parsers.Tests.Postgres;
using Ebpf.ProtocolTracing.Parsers.Tests.Redis;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Regression;

/// <summary>
/// The fuzzer's seed corpus is the unit tests' conversations. Each must make records when played
/// whole (a seed that parses to nothing teaches the fuzzer nothing). With FUZZ_CORPUS_DIR set, the
/// test also writes them in the fuzz input encoding (fuzz/Ebpf.ProtocolTracing.Fuzz/ParserInput.cs:
/// a flags byte, then 0x00|n-1 for n egress bytes and 0x40|n-1 for n ingress bytes, n ≤ 64) to
/// FUZZ_CORPUS_DIR/&lt;parser name&gt;/.
/// </summary>
public sealed class FuzzSeedCorpusTests
{
    private const StreamDirection Out = StreamDirection.Egress;
    private const StreamDirection In = StreamDirection.Ingress;

    public static TheoryData<string> Parsers => ["http", "postgres", "mysql", "redis", "http2", "nats"];

    [Theory]
    [MemberData(nameof(Parsers))]
    public void EverySeedConversation_MakesRecords(string parserName)
    {
        var parser = BuiltInParsers.CreateAll().Single(p => p.Name == parserName);
        var seeds = Conversations(parserName);
        Assert.NotEmpty(seeds);
        foreach (var (name, steps) in seeds)
        {
            var driver = new ParserDriver(parser);
            foreach (var (direction, bytes) in steps)
            {
                driver.Feed(direction, bytes);
            }

            driver.Complete();
            Assert.True(driver.Context.Records.Count > 0, $"{parserName} seed '{name}' made no record.");
        }

        if (Environment.GetEnvironmentVariable("FUZZ_CORPUS_DIR") is { Length: > 0 } root)
        {
            var folder = Path.Combine(root, parserName);
            Directory.CreateDirectory(folder);
            foreach (var (name, steps) in seeds)
            {
                File.WriteAllBytes(Path.Combine(folder, name), Encode(steps, multiSegment: false));
                File.WriteAllBytes(Path.Combine(folder, name + "-segments"), Encode(steps, multiSegment: true));
            }
        }
    }

    internal static List<(string Name, List<(StreamDirection Direction, byte[] Bytes)> Steps)> Conversations(string parserName) => parserName switch
    {
        "http" =>
        [
            ("browser-get", [(Out, Ascii(HttpSamples.BrowserGet)), (In, Ascii(HttpSamples.SmallResponse))]),
            ("post-chunked", [(Out, Ascii(HttpSamples.PostWithBody)), (In, Ascii(HttpSamples.ChunkedResponse))]),
            ("pipelined", [(Out, Ascii(HttpSamples.BrowserGet + HttpSamples.PostWithBody)), (In, Ascii(HttpSamples.SmallResponse + HttpSamples.ChunkedResponse))]),
        ],
        "postgres" =>
        [
            ("startup-md5", Postgres(PostgresConversations.StartupWithMd5())),
            ("simple-queries", Postgres(PostgresConversations.SimpleQueries())),
            ("prepared-twice", Postgres(PostgresConversations.PreparedTwice())),
            ("pipeline-error", Postgres(PostgresConversations.PipelineWithError())),
        ],
        "mysql" =>
        [
            ("full-eof", MySqlConversations.Full(deprecateEof: false)),
            ("full-deprecate-eof", MySqlConversations.Full(deprecateEof: true)),
        ],
        "redis" =>
        [
            ("get-set", [(Out, Ascii(Resp.Command("SET", "k", "v") + Resp.Command("GET", "k"))), (In, Ascii("+OK\r\n$1\r\nv\r\n"))]),
            ("resp3-types", [(Out, Ascii(Resp.Command("HELLO", "3") + Resp.Command("HGETALL", "h"))), (In, Ascii("%1\r\n+server\r\n+redis\r\n%2\r\n+first\r\n:1\r\n+second\r\n,0.19\r\n"))]),
            ("errors-and-arrays", [(Out, Ascii(Resp.Command("LRANGE", "l", "0", "-1") + Resp.Command("FOO"))), (In, Ascii("*3\r\n$1\r\na\r\n:2\r\n*1\r\n+x\r\n-ERR unknown command 'FOO'\r\n"))]),
        ],
        "http2" => [.. Http2Samples.Conversations.Select(c => (c.Key, c.Value.ToList()))],
        "nats" =>
        [
            ("pub-sub", [
                (In, Ascii(NatsWire.Info)),
                (Out, Ascii("CONNECT {\"verbose\":false,\"user\":\"u\",\"pass\":\"p\",\"headers\":true}\r\nSUB orders.* workers 7\r\n" + NatsWire.Pub("orders.new", "hello", "_INBOX.r1"))),
                (In, Ascii(NatsWire.Msg("orders.new", "7", "hello", "_INBOX.r1") + "PING\r\n")),
                (Out, Ascii("PONG\r\n" + NatsWire.HPub("orders.h", "NATS/1.0\r\nA: b\r\n\r\n", "body") + "UNSUB 7 10\r\nPING\r\n")),
                (In, Ascii(NatsWire.HMsg("orders.h", "7", "NATS/1.0\r\nA: b\r\n\r\n", "body") + "PONG\r\n-ERR 'Unknown Protocol Operation'\r\n")),
            ]),
        ],
        _ => [],
    };

    /// <summary>The fuzz input encoding of a conversation (see the class summary).</summary>
    internal static byte[] Encode(IEnumerable<(StreamDirection Direction, byte[] Bytes)> steps, bool multiSegment)
    {
        var output = new List<byte> { multiSegment ? (byte)1 : (byte)0 };
        foreach (var (direction, bytes) in steps)
        {
            for (int i = 0; i < bytes.Length; i += 64)
            {
                var length = Math.Min(64, bytes.Length - i);
                output.Add((byte)((direction == Out ? 0x00 : 0x40) | (length - 1)));
                output.AddRange(bytes.AsSpan(i, length));
            }
        }

        return [.. output];
    }

    private static byte[] Ascii(string text) => Encoding.UTF8.GetBytes(text);

    private static List<(StreamDirection, byte[])> Postgres((bool FromClient, byte[] Bytes)[] steps) =>
        [.. steps.Select(s => (s.FromClient ? Out : In, s.Bytes))];
}
