using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Dns;

// DNS over TCP: messages after a 2-byte length, fed through the same driver as every stream protocol.
public sealed class DnsStreamTests
{
    private static readonly byte[] Query = new DnsWire(0x0bad, DnsWire.QueryFlags, 1, 0).Question("tcp.example", 1).ToTcp();

    private static readonly byte[] Response = DnsWire.Response(0x0bad, "tcp.example", 1, 2)
        .A("tcp.example", "192.0.2.1").A("tcp.example", "192.0.2.2").ToTcp();

    private static List<DnsRecord> Records(ParserDriver driver) => driver.Context.Records.Cast<DnsRecord>().ToList();

    private static void AssertExchange(ParserDriver driver)
    {
        var record = Assert.Single(Records(driver));
        Assert.Equal("tcp.example", record.QueryName);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], record.Answers.Select(a => a.Data));
        Assert.False(record.DataLost);
    }

    [Fact]
    public void Every_split_point_of_query_and_response_gives_the_same_record()
    {
        for (var split = 0; split <= Query.Length; split++)
        {
            for (var responseSplit = 0; responseSplit <= Response.Length; responseSplit += 3)
            {
                var driver = new ParserDriver(new DnsParser());
                driver.Feed(StreamDirection.Egress, Query.AsSpan(0, split));
                driver.Feed(StreamDirection.Egress, Query.AsSpan(split));
                driver.Feed(StreamDirection.Ingress, Response.AsSpan(0, responseSplit));
                driver.Feed(StreamDirection.Ingress, Response.AsSpan(responseSplit));
                AssertExchange(driver);
            }
        }
    }

    [Fact]
    public void Byte_at_a_time_and_one_byte_segments_give_the_same_record()
    {
        var driver = new ParserDriver(new DnsParser(), multiSegment: true);
        foreach (var b in Query)
        {
            driver.Feed(StreamDirection.Egress, [b]);
        }

        driver.Feed(StreamDirection.Ingress, Response);
        AssertExchange(driver);
    }

    [Fact]
    public void Pipelined_queries_on_one_connection_are_answered_out_of_order()
    {
        var driver = new ParserDriver(new DnsParser());
        var second = new DnsWire(2, DnsWire.QueryFlags, 1, 0).Question("second.example", 28).ToTcp();
        driver.Feed(StreamDirection.Egress, [.. Query, .. second]);
        driver.Feed(StreamDirection.Ingress, [.. DnsWire.Response(2, "second.example", 28, 1).Aaaa("second.example", "2001:db8::2").ToTcp(), .. Response]);

        Assert.Equal(["second.example", "tcp.example"], Records(driver).Select(r => r.QueryName));
        Assert.Equal("2001:db8::2", Records(driver)[0].Answers[0].Data);
    }

    [Fact]
    public void Gap_inside_a_message_resyncs_at_the_next_length_prefix_and_marks_the_query_lost()
    {
        var driver = new ParserDriver(new DnsParser());
        driver.Feed(StreamDirection.Egress, Query);
        driver.Feed(StreamDirection.Ingress, Response.AsSpan(0, 10));
        driver.Gap(StreamDirection.Ingress, 5);
        // The rest of the cut response, then a whole new exchange.
        driver.Feed(StreamDirection.Ingress, Response.AsSpan(15));
        var next = new DnsWire(3, DnsWire.QueryFlags, 1, 0).Question("after.example", 1).ToTcp();
        driver.Feed(StreamDirection.Egress, next);
        driver.Feed(StreamDirection.Ingress, DnsWire.Response(3, "after.example", 1, 0).ToTcp());
        driver.Complete();

        var records = Records(driver);
        Assert.Contains(records, r => r.QueryName == "after.example" && r.ResponseCode == 0 && !r.DataLost);
        var cut = Assert.Single(records, r => r.QueryName == "tcp.example");
        Assert.True(cut.DataLost);
        Assert.Null(cut.ResponseCode);
    }

    [Fact]
    public void Mid_stream_join_skips_to_the_first_whole_message()
    {
        var driver = new ParserDriver(new DnsParser());
        // Joined in the middle of a response: its tail is not a message, resync finds the next one.
        driver.Gap(StreamDirection.Ingress, 100);
        driver.Feed(StreamDirection.Ingress, Response.AsSpan(20));
        driver.Feed(StreamDirection.Egress, Query);
        driver.Feed(StreamDirection.Ingress, Response);
        AssertExchange(driver);
    }

    [Fact]
    public void Length_below_a_header_is_invalid()
    {
        var driver = new ParserDriver(new DnsParser());
        driver.Feed(StreamDirection.Egress, [0, 5, 1, 2, 3, 4, 5]);
        Assert.True(driver.InvalidCount > 0);
        Assert.Empty(driver.Context.Records);
    }
}
