using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Dns;

public sealed class DnsInferenceTests
{
    private readonly DnsParser _parser = new();

    [Fact]
    public void Queries_and_responses_over_udp_and_tcp_are_recognised()
    {
        var query = DnsWire.Query(1, "example.com");
        var response = DnsWire.Response(1, "example.com", 1, 1).A("example.com", "192.0.2.1");
        Assert.True(_parser.Infer(query, StreamDirection.Egress) >= ParserRegistry.InferenceThreshold);
        Assert.True(_parser.Infer(response.ToArray(), StreamDirection.Ingress) >= ParserRegistry.InferenceThreshold);
        Assert.True(_parser.Infer(new DnsWire(1, DnsWire.QueryFlags, 1, 0).Question("example.com", 1).ToTcp(), StreamDirection.Egress) >= ParserRegistry.InferenceThreshold);
        Assert.True(_parser.Infer(response.ToTcp(), StreamDirection.Ingress) >= ParserRegistry.InferenceThreshold);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")]
    [InlineData("*1\r\n$4\r\nPING\r\n")]
    [InlineData("")]
    [InlineData("short")]
    public void Other_protocols_are_not_dns(string text)
        => Assert.True(_parser.Infer(System.Text.Encoding.ASCII.GetBytes(text), StreamDirection.Egress) < ParserRegistry.InferenceThreshold);

    [Fact]
    public void A_query_with_answers_or_an_error_code_is_not_a_plausible_query()
    {
        Assert.Equal(0, _parser.Infer(new DnsWire(1, DnsWire.QueryFlags, 1, 1).Question("example.com", 1).ToArray(), StreamDirection.Egress));
        Assert.Equal(0, _parser.Infer(new DnsWire(1, 0x0103, 1, 0).Question("example.com", 1).ToArray(), StreamDirection.Egress));
    }
}
