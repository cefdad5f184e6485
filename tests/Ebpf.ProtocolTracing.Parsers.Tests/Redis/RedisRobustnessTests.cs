using System.Text;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Redis;

/// <summary>Garbage, truncation and floods: no throw, bounded state; and the inference scores.</summary>
public sealed class RedisRobustnessTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2026)]
    public void Random_bytes_and_mutated_traffic_never_throw_and_stay_bounded(int seed)
    {
        var random = new Random(seed);
        var valid = Encoding.ASCII.GetBytes(Resp.Command("SET", "k", "v") + Resp.Command("GET", "k"));
        var replies = Encoding.ASCII.GetBytes("+OK\r\n$1\r\nv\r\n*2\r\n%1\r\n:1\r\n:2\r\n>1\r\n_\r\n");
        var driver = Resp.Driver(new RedisParserOptions { MaxLineBytes = 1024, MaxPendingCommands = 16 });
        MutatedTraffic.FeedRounds(driver, valid, replies, random, MutatedTraffic.OverwriteOrTruncate);

        driver.Complete();
        Assert.True(((RedisConnectionParser)driver.Parser).PendingCommandCount == 0);
        Assert.All(driver.Records(), r => Assert.NotNull(r.ToString()));
    }

    [Fact]
    public void Truncated_input_waits_and_complete_emits_the_command_alone()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("GET", "k"));
        driver.Receive("$10\r\nabc");
        driver.Complete();
        var record = Assert.Single(driver.Records());
        Assert.Null(record.Reply);
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void A_flood_of_unanswered_commands_is_bounded()
    {
        var driver = Resp.Driver(new RedisParserOptions { MaxPendingCommands = 8 });
        for (int i = 0; i < 100; i++)
        {
            driver.Send(Resp.Command("GET", "k"));
        }

        Assert.Equal(8, ((RedisConnectionParser)driver.Parser).PendingCommandCount);
        Assert.Equal(92, driver.Records().Count(r => r.DataLost));
    }

    [Theory]
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n", 100)]
    [InlineData("*1\r\n$4\r\nPING\r\n", 100)]
    [InlineData("*2\r\n$5\r\nXYZZY\r\n", 60)]
    [InlineData("*2\r\n$", 80)]
    [InlineData("+OK\r\n", 60)]
    [InlineData("-ERR wrong\r\n", 60)]
    [InlineData(":1\r\n", 60)]
    [InlineData("$5\r\nhello\r\n", 60)]
    [InlineData("%1\r\n", 60)]
    [InlineData(">3\r\n", 60)]
    [InlineData("*", 20)]
    [InlineData("GET / HTTP/1.1\r\n", 0)]
    [InlineData("-1\r\n", 0)]
    [InlineData(":abc\r\n", 0)]
    [InlineData("", 0)]
    public void Inference_scores_commands_above_replies_and_rejects_other_protocols(string text, int score)
    {
        Assert.Equal(score, new RedisParser().Infer(Encoding.ASCII.GetBytes(text), StreamDirection.Egress));
    }
}
