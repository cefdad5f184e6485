using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Dns;

public sealed class DnsRobustnessTests
{
    private static readonly DateTimeOffset T0 = DatagramParseContext.Epoch;

    private static readonly byte[] FullResponse = DnsWire.Response(11, "cut.example", 255, answers: 3, authority: 1)
        .A("cut.example", "192.0.2.1")
        .Record("cut.example", 15, 60, w => w.U16(5).Name("mx.cut.example"))
        .Txt("cut.example", "hello")
        .Record("cut.example", 6, 60, w => w.Name("ns.cut.example").Name("admin.cut.example").U32(1).U32(2).U32(3).U32(4).U32(5))
        .ToArray();

    [Fact]
    public void Every_truncation_of_a_response_parses_or_is_refused_without_throwing()
    {
        var questionEnd = 12 + 13 + 4;
        for (var length = 0; length <= FullResponse.Length; length++)
        {
            var context = new DatagramParseContext();
            context.Send(DnsWire.Query(11, "cut.example", 255), T0);
            var status = context.Receive(FullResponse[..length], T0);
            context.Parser.Complete();

            var record = Assert.Single(context.Dns);
            if (length < questionEnd)
            {
                Assert.Equal(ParseStatus.Invalid, status);
                Assert.Null(record.ResponseCode);
            }
            else
            {
                Assert.Equal(ParseStatus.Continue, status);
                Assert.Equal(0, record.ResponseCode);
                Assert.Equal(length < FullResponse.Length, record.DataLost);
                Assert.True(record.Answers.Count <= 3);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_datagrams_never_throw_and_pending_state_stays_bounded(int seed)
    {
        var random = new Random(seed);
        var context = new DatagramParseContext(new DnsParserOptions { MaxPendingQueries = 32 });
        for (var i = 0; i < 5000; i++)
        {
            var datagram = new byte[random.Next(0, 600)];
            random.NextBytes(datagram);
            if (datagram.Length >= 12 && random.Next(2) == 0)
            {
                // A plausible header over random bytes reaches the name and record readers.
                datagram[2] = (byte)(random.Next(2) == 0 ? 0x01 : 0x81);
                datagram[3] = 0x80;
                datagram[4] = 0;
                datagram[5] = 1;
                datagram[6] = 0;
                datagram[8] = 0;
                datagram[10] = 0;
            }

            context.Deliver(random.Next(2) == 0 ? StreamDirection.Egress : StreamDirection.Ingress, datagram, T0.AddMilliseconds(i), null);
            Assert.True(((DnsConnectionParser)context.Parser).PendingCount <= 32);
        }

        context.Parser.Complete();
        Assert.Equal(0, ((DnsConnectionParser)context.Parser).PendingCount);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_stream_bytes_never_throw_and_buffer_at_most_one_message(int seed)
    {
        var random = new Random(seed);
        var driver = new ParserDriver(new DnsParser());
        for (var i = 0; i < 2000; i++)
        {
            var piece = new byte[random.Next(1, 300)];
            random.NextBytes(piece);
            driver.Feed(random.Next(2) == 0 ? StreamDirection.Egress : StreamDirection.Ingress, piece);
            Assert.True(driver.MaxBuffered <= ushort.MaxValue + 2);
        }

        driver.Complete();
    }

    [Fact]
    public void Flipped_bytes_of_a_real_response_never_throw()
    {
        var random = new Random(6);
        for (var i = 0; i < 3000; i++)
        {
            var damaged = (byte[])FullResponse.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
            }

            var context = new DatagramParseContext();
            context.Send(DnsWire.Query(11, "cut.example", 255), T0);
            context.Receive(damaged, T0);
            context.Parser.Complete();

            // The query's record, and one more when the damage turned the response into a query.
            Assert.InRange(context.Records.Count, 1, 2);
        }
    }
}
