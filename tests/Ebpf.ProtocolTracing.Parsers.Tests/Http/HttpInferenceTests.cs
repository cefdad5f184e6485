using System.Text;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

public sealed class HttpInferenceTests
{
    private readonly HttpParser _parser = new();

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n")]
    [InlineData("PROPFIND /dav HTTP/1.1\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n")]
    [InlineData("HTTP/1.0 404\n")]
    public void CompleteStartLine_IsCertain(string text) => Assert.Equal(100, Score(text));

    [Theory]
    [InlineData("GET /very/long/pa")]
    [InlineData("HTTP/1.1 2")]
    [InlineData("POST ")]
    public void PrefixWithKnownMethodOrStatus_IsLikely(string text) => Assert.InRange(Score(text), 30, 99);

    [Theory]
    [InlineData("GE")]
    [InlineData("FOO /x")]
    public void ShortOrUnknownPrefix_IsAWeakGuess(string text) => Assert.InRange(Score(text), 1, 29);

    [Theory]
    [InlineData("")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("*3\r\n$3\r\nSET\r\n")]
    [InlineData("GET / HTTP/1.1 extra\r\n")]
    [InlineData("get\x01 / HTTP/1.1")]
    [InlineData("\x16\x03\x01\x00")]
    public void OtherProtocols_ScoreZero(string text) => Assert.Equal(0, Score(text));

    [Fact]
    public void Identity_IsHttp()
    {
        Assert.Equal("http", _parser.Name);
        Assert.Equal(WellKnownProtocol.Http, _parser.KernelProtocol);
    }

    private int Score(string text) => _parser.Infer(Encoding.Latin1.GetBytes(text), StreamDirection.Egress);
}
