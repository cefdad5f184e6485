using System.Net;
using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Dns;

public sealed class DnsDatagramTests
{
    private static readonly DateTimeOffset T0 = DatagramParseContext.Epoch;

    [Fact]
    public void Query_and_response_become_one_record_with_typed_answers()
    {
        var context = new DatagramParseContext(new DnsParserOptions { RedactTxtData = false });
        var response = DnsWire.Response(0x1234, "www.example.com", 1, answers: 2)
            .Cname("www.example.com", "web.example.com")
            .A("web.example.com", "192.0.2.10", ttl: 42)
            .ToArray();

        Assert.Equal(ParseStatus.Continue, context.Send(DnsWire.Query(0x1234, "www.example.com"), T0));
        Assert.Equal(ParseStatus.Continue, context.Receive(response, T0.AddMilliseconds(3)));

        var record = Assert.Single(context.Dns);
        Assert.Equal(0x1234, record.Id);
        Assert.Equal("www.example.com", record.QueryName);
        Assert.Equal("A", record.QueryTypeName);
        Assert.Equal(0, record.ResponseCode);
        Assert.Equal("NOERROR", record.Outcome);
        Assert.Equal(ConnectionRole.Client, record.Role);
        Assert.Equal(TimeSpan.FromMilliseconds(3), record.Latency);
        Assert.Equal(DatagramParseContext.Server, record.RemoteEndPoint);
        Assert.True(record.RecursionDesired);
        Assert.True(record.RecursionAvailable);
        Assert.Equal(2, record.AnswerCount);
        Assert.Equal(["www.example.com 300 CNAME web.example.com", "web.example.com 42 A 192.0.2.10"], record.Answers.Select(a => a.ToString()));
        Assert.Equal("A", record.Operation);
        Assert.Equal("www.example.com", record.Resource);
        Assert.False(record.IsError);
        Assert.False(record.DataLost);
    }

    [Fact]
    public void Every_common_record_type_is_rendered_and_others_by_number_and_length()
    {
        var context = new DatagramParseContext(new DnsParserOptions { RedactTxtData = false });
        var response = DnsWire.Response(7, "example.com", 255, answers: 8, authority: 1, additional: 1)
            .Aaaa("example.com", "2001:db8::1")
            .Record("example.com", 15, 60, w => w.U16(10).Name("mail.example.com"))
            .Txt("example.com", "v=spf1 -all", "a \"quoted\" one")
            .Record("_sip._udp.example.com", 33, 60, w => w.U16(1).U16(5).U16(5060).Name("sip.example.com"))
            .Record("10.2.0.192.in-addr.arpa", 12, 60, w => w.Name("host.example.com"))
            .Record("example.com", 2, 60, w => w.Name("ns1.example.com"))
            .Record("example.com", 99, 60, w => w.Raw(1, 2, 3, 4, 5))
            .Record("example.com", 1, 60, w => w.Raw(1, 2, 3)) // an A record with a bad length
            .Record("example.com", 6, 3600, w => w.Name("ns1.example.com").Name("hostmaster.example.com").U32(2026010101).U32(7200).U32(900).U32(1209600).U32(300))
            .A("ns1.example.com", "192.0.2.53")
            .ToArray();

        context.Send(DnsWire.Query(7, "example.com", 255), T0);
        context.Receive(response, T0.AddMilliseconds(1));

        var record = Assert.Single(context.Dns);
        Assert.Equal("ANY", record.Operation);
        Assert.Equal(
            [
                "example.com 300 AAAA 2001:db8::1",
                "example.com 60 MX 10 mail.example.com",
                "example.com 60 TXT \"v=spf1 -all\" \"a \\\"quoted\\\" one\"",
                "_sip._udp.example.com 60 SRV 1 5 5060 sip.example.com",
                "10.2.0.192.in-addr.arpa 60 PTR host.example.com",
                "example.com 60 NS ns1.example.com",
                "example.com 60 TYPE99 [5 bytes]",
                "example.com 60 A [3 bytes]",
            ],
            record.Answers.Select(a => a.ToString()));
        Assert.Equal("example.com 3600 SOA ns1.example.com hostmaster.example.com 2026010101 7200 900 1209600 300", Assert.Single(record.Authority).ToString());
        Assert.Equal("ns1.example.com 300 A 192.0.2.53", Assert.Single(record.Additional).ToString());
    }

    [Fact]
    public void Nxdomain_is_an_outcome_not_an_error_and_servfail_is_an_error()
    {
        var context = new DatagramParseContext();
        context.Send(DnsWire.Query(1, "missing.example.com"), T0);
        context.Receive(DnsWire.Response(1, "missing.example.com", 1, answers: 0, flags: 0x8183).ToArray(), T0.AddMilliseconds(1));
        context.Send(DnsWire.Query(2, "broken.example.com"), T0);
        context.Receive(DnsWire.Response(2, "broken.example.com", 1, answers: 0, flags: 0x8182).ToArray(), T0.AddMilliseconds(1));

        Assert.Equal(["NXDOMAIN", "SERVFAIL"], context.Dns.Select(r => r.Outcome));
        Assert.Equal([false, true], context.Dns.Select(r => r.IsError));
    }

    [Fact]
    public void Edns_payload_size_dnssec_ok_extended_rcode_and_truncation_are_read()
    {
        var context = new DatagramParseContext();
        var query = new DnsWire(9, DnsWire.QueryFlags, 1, 0, 0, 1).Question("example.com", 1).Opt(1232, dnssecOk: true).ToArray();
        // Extended rcode 1 with header rcode 0: BADVERS (16); TC set.
        var response = new DnsWire(9, 0x8380, 1, 0, 0, 1).Question("example.com", 1).Opt(4096, dnssecOk: true, extendedRcode: 1).ToArray();

        context.Send(query, T0);
        context.Receive(response, T0.AddMilliseconds(1));

        var record = Assert.Single(context.Dns);
        Assert.Equal(1232, record.EdnsUdpPayloadSize);
        Assert.True(record.DnssecOk);
        Assert.True(record.Truncated);
        Assert.Equal(16, record.ResponseCode);
        Assert.Equal("BADVERS", record.Outcome);
        Assert.Empty(record.Additional);
        Assert.Equal(1, record.AdditionalCount);
    }

    [Fact]
    public void Responses_match_by_id_and_peer_in_any_order()
    {
        var context = new DatagramParseContext();
        var a = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 53);
        var b = new IPEndPoint(IPAddress.Parse("192.0.2.2"), 53);
        context.Send(DnsWire.Query(5, "one.example"), T0, a);
        context.Send(DnsWire.Query(5, "two.example"), T0.AddMilliseconds(1), b);
        context.Send(DnsWire.Query(6, "three.example"), T0.AddMilliseconds(2), a);

        // Same id from the wrong peer, and a response for another question, are not answers.
        context.Receive(DnsWire.Response(5, "two.example", 1, 0).ToArray(), T0.AddMilliseconds(5), a);
        context.Receive(DnsWire.Response(6, "three.example", 1, 0).ToArray(), T0.AddMilliseconds(10), a);
        context.Receive(DnsWire.Response(5, "two.example", 1, 0).ToArray(), T0.AddMilliseconds(11), b);
        context.Receive(DnsWire.Response(5, "one.example", 1, 0).ToArray(), T0.AddMilliseconds(12), a);

        Assert.Equal(["three.example", "two.example", "one.example"], context.Dns.Select(r => r.QueryName));
        Assert.Equal([a, b, a], context.Dns.Select(r => r.RemoteEndPoint));
        Assert.Equal([8.0, 10.0, 12.0], context.Dns.Select(r => r.Latency!.Value.TotalMilliseconds));
    }

    [Fact]
    public void Server_side_queries_are_server_role_records()
    {
        var context = new DatagramParseContext();
        var client = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 41000);
        context.Receive(DnsWire.Query(77, "svc.local"), T0, client);
        context.Send(DnsWire.Response(77, "svc.local", 1, 1).A("svc.local", "10.1.1.1").ToArray(), T0.AddMilliseconds(1), client);

        var record = Assert.Single(context.Dns);
        Assert.Equal(ConnectionRole.Server, record.Role);
        Assert.Equal(client, record.RemoteEndPoint);
    }

    [Fact]
    public void Unanswered_queries_expire_after_the_timeout_and_at_completion()
    {
        var context = new DatagramParseContext(new DnsParserOptions { QueryTimeout = TimeSpan.FromSeconds(2) });
        context.Send(DnsWire.Query(1, "lost.example"), T0);
        context.Send(DnsWire.Query(2, "late.example"), T0.AddSeconds(1));
        Assert.Empty(context.Records);

        context.Send(DnsWire.Query(3, "next.example"), T0.AddSeconds(2.5));
        var expired = Assert.Single(context.Dns);
        Assert.Equal("lost.example", expired.QueryName);
        Assert.Null(expired.ResponseCode);
        Assert.Null(expired.ResponseTime);
        Assert.Null(expired.Outcome);

        context.Parser.Complete();
        Assert.Equal(["lost.example", "late.example", "next.example"], context.Dns.Select(r => r.QueryName));
        Assert.All(context.Dns, r => Assert.Null(r.Latency));
    }

    [Fact]
    public void Pending_queries_are_bounded()
    {
        var context = new DatagramParseContext(new DnsParserOptions { MaxPendingQueries = 4 });
        for (ushort i = 0; i < 10; i++)
        {
            context.Send(DnsWire.Query(i, "flood.example"), T0);
        }

        Assert.Equal(6, context.Records.Count);
        Assert.Equal(4, ((DnsConnectionParser)context.Parser).PendingCount);
    }

    [Fact]
    public void Responses_without_a_query_are_dropped_and_later_exchanges_pair()
    {
        // Tracing started after the first query left: its response has nothing to pair with.
        var context = new DatagramParseContext();
        context.Receive(DnsWire.Response(1, "early.example", 1, 0).ToArray(), T0);
        context.Send(DnsWire.Query(2, "later.example"), T0.AddMilliseconds(1));
        context.Receive(DnsWire.Response(2, "later.example", 1, 0).ToArray(), T0.AddMilliseconds(2));

        Assert.Equal("later.example", Assert.Single(context.Dns).QueryName);
    }

    [Fact]
    public void Records_are_bounded_per_section_with_real_counts_kept()
    {
        var context = new DatagramParseContext(new DnsParserOptions { MaxRecordsPerSection = 3 });
        var response = DnsWire.Response(4, "many.example", 1, answers: 20);
        for (var i = 0; i < 20; i++)
        {
            response.A("many.example", $"10.0.0.{i}");
        }

        context.Send(DnsWire.Query(4, "many.example"), T0);
        context.Receive(response.ToArray(), T0);

        var record = Assert.Single(context.Dns);
        Assert.Equal(3, record.Answers.Count);
        Assert.Equal(20, record.AnswerCount);
    }

    [Fact]
    public void Txt_data_is_redacted_by_default_in_every_field_and_text()
    {
        const string Secret = "google-site-verification=S3CRET-T0KEN";
        var context = new DatagramParseContext();
        context.Send(DnsWire.Query(3, "example.com", 16), T0);
        context.Receive(DnsWire.Response(3, "example.com", 16, 1).Txt("example.com", Secret).ToArray(), T0);

        var record = Assert.Single(context.Dns);
        var answer = Assert.Single(record.Answers);
        Assert.StartsWith(DnsParserOptions.RedactedValue, answer.Data, StringComparison.Ordinal);
        Assert.DoesNotContain("S3CRET", record.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("S3CRET", answer.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("S3CRET", string.Join(' ', record.Answers.Select(a => a.Data)), StringComparison.Ordinal);
    }
}
