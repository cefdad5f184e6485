using System.Text;
using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Nats;

/// <summary>Garbage, truncation and floods: no throw, bounded state; and the inference scores.</summary>
public sealed class NatsRobustnessTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2026)]
    public void Random_bytes_and_mutated_traffic_never_throw_and_stay_bounded(int seed)
    {
        var random = new Random(seed);
        var client = Encoding.ASCII.GetBytes("CONNECT {\"verbose\":true}\r\n" + NatsWire.Pub("a", "xyz", "r") + "SUB a 1\r\nPING\r\n" + NatsWire.HPub("h", "NATS/1.0\r\nK: v\r\n\r\n", "p"));
        var server = Encoding.ASCII.GetBytes(NatsWire.Info + "+OK\r\nPONG\r\n" + NatsWire.Msg("a", "1", "xyz") + "-ERR 'x'\r\n");
        var options = new NatsParserOptions { MaxLineBytes = 1024, MaxPendingOperations = 16, MaxSubscriptions = 8, MaxMessageBytes = 4096 };
        var driver = NatsWire.Driver(options);
        MutatedTraffic.FeedRounds(driver, client, server, random, MutatedTraffic.OverwriteOrTruncate, () =>
        {
            var parser = (NatsConnectionParser)driver.Parser;
            Assert.True(parser.PendingCount <= 3 * 16, $"pending {parser.PendingCount}");
            Assert.True(parser.SubscriptionCount <= 8, $"subscriptions {parser.SubscriptionCount}");
        });

        driver.Complete();
        Assert.Equal(0, ((NatsConnectionParser)driver.Parser).PendingCount);
        Assert.All(driver.Records(), r => Assert.NotNull(r.ToString()));
    }

    [Fact]
    public void Truncated_input_waits_and_complete_emits_what_waits()
    {
        var driver = NatsWire.Driver();
        driver.Send("PING\r\nPUB a 10\r\nabc");
        driver.Complete();
        var record = Assert.Single(driver.Records());
        Assert.Equal(NatsOperation.Ping, record.Kind);
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void An_overlong_line_or_a_bad_size_is_invalid_and_the_stream_resyncs()
    {
        var driver = NatsWire.Driver(new NatsParserOptions { MaxLineBytes = 64, MaxMessageBytes = 100 });
        driver.Send("PUB " + new string('s', 100));
        Assert.True(driver.InvalidCount > 0);
        driver.Send("\r\nPUB a 101\r\n" + NatsWire.Pub("fine", "1"));
        var record = Assert.Single(driver.Records());
        Assert.Equal("fine", record.Subject);
    }

    [Fact]
    public void Too_many_waiting_pings_emit_the_oldest_as_lost()
    {
        var driver = NatsWire.Driver(new NatsParserOptions { MaxPendingOperations = 2 });
        driver.Send("PING\r\nPING\r\nPING\r\n");
        var record = Assert.Single(driver.Records());
        Assert.True(record.DataLost);
        Assert.Equal(2, ((NatsConnectionParser)driver.Parser).PendingCount);
    }

    [Theory]
    [InlineData("INFO {\"server_id\"", 100)]
    [InlineData("CONNECT {\"verbose\"", 100)]
    [InlineData("PUB a.b 5\r\nhello\r\n", 80)]
    [InlineData("HPUB a 12 14\r\n", 80)]
    [InlineData("SUB a 1\r\n", 80)]
    [InlineData("MSG a 1 _INBOX.x 3\r\n", 80)]
    [InlineData("PUB a.b", 60)]
    [InlineData("PING\r\n", 30)]
    [InlineData("PING\r\nPUB a 1\r\nx\r\n", 80)]
    [InlineData("PONG\r\n+OK\r\n", 30)]
    [InlineData("-ERR 'x'\r\n", 60)]
    [InlineData("+OK\r\n", 30)]
    [InlineData("PUB a b c d\r\n", 0)]
    [InlineData("GET / HTTP/1.1\r\n", 0)]
    [InlineData("*1\r\n$4\r\nPING\r\n", 0)]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\n", 0)]
    public void Inference_scores(string head, int expected) =>
        Assert.Equal(expected, new NatsParser().Infer(Encoding.ASCII.GetBytes(head), StreamDirection.Egress));
}
