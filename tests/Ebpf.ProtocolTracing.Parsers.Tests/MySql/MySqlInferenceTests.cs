using Ebpf.ProtocolTracing.MySql;
using static Ebpf.ProtocolTracing.Parsers.Tests.MySql.MySqlPackets;

namespace Ebpf.ProtocolTracing.Parsers.Tests.MySql;

/// <summary>Inference scores: greetings and commands yes, other protocols and garbage no.</summary>
public sealed class MySqlInferenceTests
{
    private static readonly MySqlParser Parser = new();

    [Fact]
    public void Greeting_IsCertain() => Assert.True(Parser.Infer(Greeting(), StreamDirection.Ingress) >= 90);

    [Fact]
    public void Commands_AreLikely()
    {
        Assert.True(Parser.Infer(Query("SELECT 1"), StreamDirection.Egress) >= 70);
        Assert.True(Parser.Infer(Command(0x0e), StreamDirection.Egress) >= 70);
        Assert.True(Parser.Infer(Execute(1, 0, [], null, []), StreamDirection.Egress) >= 70);
        Assert.True(Parser.Infer(Query("SELECT 1").AsSpan(0, 7), StreamDirection.Egress) > 0);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("*1\r\n$4\r\nPING\r\n")]
    [InlineData("")]
    public void OtherProtocols_AreNot(string text) => Assert.Equal(0, Parser.Infer(System.Text.Encoding.ASCII.GetBytes(text), StreamDirection.Egress));

    [Fact]
    public void WrongLengthsOrSequence_AreNot()
    {
        Assert.Equal(0, Parser.Infer(Packet(0, U8(0x0e), U8(0)), StreamDirection.Egress)); // ping is one byte
        Assert.Equal(0, Parser.Infer(Packet(1, Text("\u0003SELECT 1")), StreamDirection.Egress));
        Assert.Equal(0, Parser.Infer(Command(0x03, Text("\u0001\u0002")), StreamDirection.Egress));
    }

    [Fact]
    public void KernelProtocol_IsMySql() => Assert.Equal((Ebpf.ProtocolTracing.Parsing.WellKnownProtocol.MySql, "mysql"), (Parser.KernelProtocol, Parser.Name));
}
