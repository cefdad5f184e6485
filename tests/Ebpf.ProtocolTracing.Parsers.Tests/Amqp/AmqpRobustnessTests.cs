using Ebpf.ProtocolTracing.Amqp;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using static Ebpf.ProtocolTracing.Parsers.Tests.Amqp.AmqpWire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Amqp;

/// <summary>Garbage, truncation and floods: no throw, bounded state; and the inference scores.</summary>
public sealed class AmqpRobustnessTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2026)]
    public void Random_bytes_and_mutated_traffic_never_throw_and_stay_bounded(int seed)
    {
        var random = new Random(seed);
        var client = Concat(ProtocolHeader, StartOk("u", "p"), QueueDeclare(1, "q"), ConfirmSelect(1), Message(Publish(1, "", "q"), 1, "body"), Get(2, "q"), Ack(1, 1));
        var server = Concat(ConnectionStart(), QueueDeclareOk(1, "q", 0, 0), ConfirmSelectOk(1), Ack(1, 1), Message(GetOk(2, 1, "", "q", 0), 2, "m"), ChannelClose(3, 404, "x"));
        var options = new AmqpParserOptions { MaxPendingOperations = 16, MaxChannels = 8, MaxMethodFrameBytes = 1024, MaxFrameBytes = 4096 };
        var driver = Driver(options);
        MutatedTraffic.FeedRounds(driver, client, server, random, Mutate, () =>
        {
            var parser = (AmqpConnectionParser)driver.Parser;
            Assert.True(parser.PendingCount <= 16 + 2 * 8, $"pending {parser.PendingCount}");
            Assert.True(parser.ChannelCount <= 8, $"channels {parser.ChannelCount}");
        });

        driver.Complete();
        Assert.Equal(0, ((AmqpConnectionParser)driver.Parser).PendingCount);
        Assert.NotEmpty(driver.Records());
        Assert.All(driver.Records(), r => Assert.NotNull(r.ToString()));
    }

    [Fact]
    public void Pure_noise_makes_no_record_and_no_throw()
    {
        var random = new Random(5);
        var driver = Driver();
        for (int i = 0; i < 200; i++)
        {
            var noise = new byte[random.Next(1, 300)];
            random.NextBytes(noise);
            driver.Feed(i % 2 == 0 ? StreamDirection.Egress : StreamDirection.Ingress, noise);
        }

        driver.Complete();
        Assert.True(driver.Records().Count < 5, $"{driver.Records().Count} records from noise");
    }

    [Fact]
    public void Truncated_input_waits_and_complete_emits_what_waits()
    {
        var driver = Driver();
        var publish = Message(Publish(1, "", "q"), 1, "cut short");
        driver.Send(Concat(QueueDeclare(1, "q"), publish.AsSpan(0, publish.Length - 4).ToArray()));
        Assert.Empty(driver.Records());
        driver.Complete();
        var records = driver.Records();
        Assert.Equal(["queue.declare", "basic.publish"], records.Select(r => r.Method));
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void An_oversized_method_frame_or_an_unknown_frame_type_is_invalid_and_the_stream_resyncs()
    {
        var driver = Driver(new AmqpParserOptions { MaxMethodFrameBytes = 64 });
        driver.Send(Concat(QueueDeclare(1, new string('n', 100)), [0x05, 0, 1, 0, 0, 0, 0, 0xCE], QueueDeclare(1, "fine")));
        driver.Receive(QueueDeclareOk(1, "fine", 0, 0));
        Assert.True(driver.InvalidCount > 0);
        var record = Assert.Single(driver.Records());
        Assert.Equal("fine", record.Queue);
    }

    [Fact]
    public void A_method_whose_arguments_run_past_its_frame_is_kept_and_marked_lost()
    {
        var driver = Driver();
        driver.Send(Method(1, 50, 10, a => a.Short(0).Octet(50).Octet((byte)'q')));
        driver.Complete();
        var record = Assert.Single(driver.Records());
        Assert.Equal("queue.declare", record.Method);
        Assert.True(record.DataLost);
    }

    [Fact]
    public void Too_many_waiting_requests_emit_the_oldest_as_lost()
    {
        var driver = Driver(new AmqpParserOptions { MaxPendingOperations = 2 });
        driver.Send(Concat(QueueDeclare(1, "a"), QueueDeclare(1, "b"), QueueDeclare(1, "c")));
        var record = Assert.Single(driver.Records());
        Assert.Equal("a", record.Queue);
        Assert.True(record.DataLost);
        Assert.Equal(2, ((AmqpConnectionParser)driver.Parser).PendingCount);
    }

    [Fact]
    public void Too_many_channels_start_the_state_again()
    {
        var driver = Driver(new AmqpParserOptions { MaxChannels = 3 });
        for (ushort channel = 1; channel <= 5; channel++)
        {
            driver.Send(ChannelOpen(channel));
        }

        Assert.True(((AmqpConnectionParser)driver.Parser).ChannelCount <= 3);
        Assert.Equal(3, driver.Records().Count);
        Assert.All(driver.Records(), r => Assert.True(r.DataLost));
    }

    public static TheoryData<byte[], int> InferenceCases => new()
    {
        { ProtocolHeader, 100 },
        { "AMQ"u8.ToArray(), 0 },
        { ConnectionStart(), 100 },
        { ConnectionStart().AsSpan(0, 11).ToArray(), 70 },
        { QueueDeclare(1, "q"), 100 },
        { Heartbeat, 100 },
        { Header(1, 10), 100 },
        { "GET / HTTP/1.1\r\n"u8.ToArray(), 0 },
        { [1, 0, 1, 0, 0, 0, 12, 0x12, 0x34, 0, 10, 0xCE], 0 },
        { [1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 10, 0x00], 0 },
    };

    [Theory]
    [MemberData(nameof(InferenceCases))]
    public void Inference_scores(byte[] data, int expected) =>
        Assert.Equal(expected, new AmqpParser().Infer(data, StreamDirection.Egress));

    [Fact]
    public void Options_are_validated_naming_the_bad_one()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AmqpParser(new AmqpParserOptions { MaxBodyBytes = -1 }));
        Assert.Contains("MaxBodyBytes", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => new AmqpParser(new AmqpParserOptions { MaxFrameBytes = 100 }));
        Assert.Contains("MaxFrameBytes", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var copy = (byte[])source.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (int i = random.Next(1, 6); i > 0; i--)
                {
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }

                return copy;
            case 1:
                return copy.AsSpan(0, random.Next(copy.Length)).ToArray();
            case 2:
                var noise = new byte[random.Next(1, 64)];
                random.NextBytes(noise);
                return noise;
            default:
                return copy;
        }
    }
}
