using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Dns;

public sealed class DnsNameSafetyTests
{
    private static readonly DateTimeOffset T0 = DatagramParseContext.Epoch;

    private static DnsWire Header(int questions = 1) => new(1, DnsWire.QueryFlags, questions, 0);

    [Fact]
    public void Pointer_to_itself_is_refused()
    {
        // The question's name is a pointer at offset 12 pointing to 12.
        var message = Header().U16(0xC00C).U16(1).U16(1).ToArray();
        Assert.Null(DnsMessageReader.TryRead(message, new DnsParserOptions()));
    }

    [Fact]
    public void Pointer_loop_between_two_names_is_refused()
    {
        // A label, then a pointer back to that label: following it forever would loop.
        var message = Header().U8(1).Raw((byte)'a').U16(0xC00C).U16(1).U16(1).ToArray();
        Assert.Null(DnsMessageReader.TryRead(message, new DnsParserOptions()));
    }

    [Fact]
    public void Forward_pointer_is_refused()
    {
        var message = Header().U16(0xC010).U16(1).U16(1).U8(1).Raw((byte)'x').U8(0).ToArray();
        Assert.Null(DnsMessageReader.TryRead(message, new DnsParserOptions()));
    }

    [Fact]
    public void Backward_pointer_chain_is_followed()
    {
        var response = new DnsWire(1, DnsWire.ResponseFlags, 1, 1).Question("a.b.c.example", 1).Cname("a.b.c.example", "x.b.c.example").ToArray();
        var message = DnsMessageReader.TryRead(response, new DnsParserOptions())!;
        Assert.Equal("x.b.c.example", Assert.Single(message.Answers).Data);
    }

    [Fact]
    public void Pointer_past_the_message_and_pointer_cut_in_half_are_refused()
    {
        Assert.Null(DnsMessageReader.TryRead(Header().U16(0xC0FF).U16(1).U16(1).ToArray(), new DnsParserOptions()));
        Assert.Null(DnsMessageReader.TryRead(Header().U8(0xC0).ToArray(), new DnsParserOptions()));
    }

    [Fact]
    public void Label_over_63_bytes_and_name_over_255_bytes_are_refused()
    {
        var longLabel = Header().U8(64).Raw(new byte[64]).U8(0).U16(1).U16(1).ToArray();
        Assert.Null(DnsMessageReader.TryRead(longLabel, new DnsParserOptions()));

        var longName = Header();
        for (var i = 0; i < 5; i++)
        {
            longName.U8(60).Raw(Enumerable.Repeat((byte)'a', 60).ToArray());
        }

        Assert.Null(DnsMessageReader.TryRead(longName.U8(0).U16(1).U16(1).ToArray(), new DnsParserOptions()));
    }

    [Fact]
    public void Name_of_exactly_255_bytes_is_accepted()
    {
        var name = Header();
        for (var i = 0; i < 3; i++)
        {
            name.U8(63).Raw(Enumerable.Repeat((byte)'b', 63).ToArray());
        }

        name.U8(61).Raw(Enumerable.Repeat((byte)'c', 61).ToArray()); // 3*64 + 62 + 1 = 255
        var message = DnsMessageReader.TryRead(name.U8(0).U16(1).U16(1).ToArray(), new DnsParserOptions());
        Assert.NotNull(message);
        Assert.Equal(3 * 63 + 61 + 3, message.QuestionName.Length);
    }

    [Fact]
    public void Odd_bytes_in_labels_are_escaped_so_names_cannot_forge_structure()
    {
        var message = Header().U8(5).Raw((byte)'a', (byte)'.', 0, (byte)'\n', (byte)'\\').U8(3).Raw("com"u8.ToArray()).U8(0).U16(1).U16(1).ToArray();
        var decoded = DnsMessageReader.TryRead(message, new DnsParserOptions())!;
        Assert.Equal("a\\.\\000\\010\\\\.com", decoded.QuestionName);
    }

    [Fact]
    public void Long_chain_of_backward_pointers_ends()
    {
        // Each name points at the previous one: legal, and bounded by the strictly decreasing rule.
        var wire = new DnsWire(1, DnsWire.ResponseFlags, 1, 40).Question("z.example", 1);
        var message = wire.ToArray().ToList();
        var previous = 12;
        for (var i = 0; i < 40; i++)
        {
            var here = message.Count;
            message.AddRange([1, (byte)'p', (byte)(0xC0 | (previous >> 8)), (byte)previous, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 10, 0, 0, 1]);
            previous = here;
        }

        var decoded = DnsMessageReader.TryRead([.. message], new DnsParserOptions { MaxRecordsPerSection = 64 })!;
        Assert.Equal(40, decoded.Answers.Count);
        Assert.Equal(string.Concat(Enumerable.Repeat("p.", 40)) + "z.example", decoded.Answers[^1].Name);
        Assert.False(decoded.Incomplete);
    }

    [Fact]
    public void Malicious_name_in_a_datagram_is_invalid_and_the_next_one_still_parses()
    {
        var context = new DatagramParseContext();
        Assert.Equal(ParseStatus.Invalid, context.Send(Header().U16(0xC00C).U16(1).U16(1).ToArray(), T0));
        context.Send(DnsWire.Query(2, "fine.example"), T0);
        context.Receive(DnsWire.Response(2, "fine.example", 1, 0).ToArray(), T0);
        Assert.Equal("fine.example", Assert.Single(context.Dns).QueryName);
    }
}
