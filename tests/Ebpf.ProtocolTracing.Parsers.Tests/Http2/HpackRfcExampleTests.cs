using Ebpf.ProtocolTracing.Http2.Hpack;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http2;

/// <summary>The header block examples of RFC 7541 Appendix C, byte for byte, with the dynamic table after each.</summary>
public sealed class HpackRfcExampleTests
{
    [Fact]
    public void C2_1_literal_with_indexing()
    {
        var decoder = new HpackDecoder(4096, contentsKnown: true);
        AssertBlock(decoder, "400a637573746f6d2d6b65790d637573746f6d2d686561646572", [("custom-key", "custom-header")]);
        Assert.Equal(55, decoder.Table.Size);
        Assert.Equal(1, decoder.Table.Count);
    }

    [Fact]
    public void C2_2_literal_without_indexing()
    {
        var decoder = new HpackDecoder(4096, contentsKnown: true);
        AssertBlock(decoder, "040c2f73616d706c652f70617468", [(":path", "/sample/path")]);
        Assert.Equal(0, decoder.Table.Count);
    }

    [Fact]
    public void C2_3_literal_never_indexed()
    {
        var decoder = new HpackDecoder(4096, contentsKnown: true);
        AssertBlock(decoder, "100870617373776f726406736563726574", [("password", "secret")]);
        Assert.Equal(0, decoder.Table.Count);
    }

    [Fact]
    public void C2_4_indexed()
    {
        var decoder = new HpackDecoder(4096, contentsKnown: true);
        AssertBlock(decoder, "82", [(":method", "GET")]);
        Assert.Equal(0, decoder.Table.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void C3_and_C4_requests(bool huffman)
    {
        string[] blocks = huffman
            ? ["828684418cf1e3c2e5f23a6ba0ab90f4ff", "828684be5886a8eb10649cbf", "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"]
            : ["828684410f7777772e6578616d706c652e636f6d", "828684be58086e6f2d6361636865", "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565"];
        var decoder = new HpackDecoder(4096, contentsKnown: true);

        AssertBlock(decoder, blocks[0], [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")]);
        Assert.Equal(57, decoder.Table.Size);

        AssertBlock(decoder, blocks[1], [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")]);
        Assert.Equal(110, decoder.Table.Size);

        AssertBlock(decoder, blocks[2], [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")]);
        Assert.Equal(164, decoder.Table.Size);
        AssertTable(decoder, [("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void C5_and_C6_responses_with_evictions(bool huffman)
    {
        string[] blocks = huffman
            ?
            [
                "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
                "4883640effc1c0bf",
                "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
            ]
            :
            [
                "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
                "4803333037c1c0bf",
                "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
            ];
        var decoder = new HpackDecoder(256, contentsKnown: true);

        AssertBlock(decoder, blocks[0], [(":status", "302"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("location", "https://www.example.com")]);
        Assert.Equal(222, decoder.Table.Size);

        AssertBlock(decoder, blocks[1], [(":status", "307"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("location", "https://www.example.com")]);
        Assert.Equal(222, decoder.Table.Size);
        AssertTable(decoder, [(":status", "307"), ("location", "https://www.example.com"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("cache-control", "private")]);

        AssertBlock(decoder, blocks[2],
        [
            (":status", "200"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT"), ("location", "https://www.example.com"),
            ("content-encoding", "gzip"), ("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"),
        ]);
        Assert.Equal(215, decoder.Table.Size);
        AssertTable(decoder, [("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"), ("content-encoding", "gzip"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT")]);
    }

    internal static void AssertBlock(HpackDecoder decoder, string hex, (string Name, string Value)[] expected)
    {
        var fields = new List<HpackField>();
        Assert.True(decoder.TryDecode(Convert.FromHexString(hex), fields), "the block should decode");
        Assert.Equal(expected.Select(e => new HpackField(e.Name, e.Value)), fields);
    }

    private static void AssertTable(HpackDecoder decoder, (string Name, string Value)[] expected)
    {
        Assert.Equal(expected.Length, decoder.Table.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(decoder.Table.TryGet(i, out var name, out var value));
            Assert.Equal(expected[i], (name, value));
        }
    }
}
