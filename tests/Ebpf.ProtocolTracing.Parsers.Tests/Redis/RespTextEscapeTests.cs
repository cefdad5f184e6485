using System.Globalization;
using System.Text;
using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Redis;

/// <summary>How payload bytes become printable text, byte by byte, the way redis-cli shows them.</summary>
public sealed class RespTextEscapeTests
{
    [Fact]
    public void EveryByte_IsShownAsItselfOrItsEscape()
    {
        for (var value = 0; value < 256; value++)
        {
            var b = (byte)value;
            var expected = b switch
            {
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                < 0x20 or >= 0x7f => "\\x" + value.ToString("x2", CultureInfo.InvariantCulture),
                _ => ((char)b).ToString(),
            };

            Assert.Equal("a" + expected + "z", RespText.Escape([(byte)'a', b, (byte)'z']));
        }
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("{\"name\":\"widget\",\"price\":12.5}", "{\\\"name\\\":\\\"widget\\\",\\\"price\\\":12.5}")]
    [InlineData("line one\r\nline two\t\\end", "line one\\r\\nline two\\t\\\\end")]
    [InlineData("", "")]
    public void Values_AreEscapedWhole(string value, string shown) =>
        Assert.Equal(shown, RespText.Escape(Encoding.ASCII.GetBytes(value)));

    [Fact]
    public void NonAsciiBytes_AreShownAsHex() =>
        Assert.Equal("caf\\xc3\\xa9", RespText.Escape(Encoding.UTF8.GetBytes("café")));
}
