using System.Numerics;
using Ebpf.ProtocolTracing.Http2.Hpack;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http2;

/// <summary>The typed-in code table is RFC 7541's canonical code, and the decoder follows 5.2's padding rules.</summary>
public sealed class HuffmanDecoderTests
{
    [Fact]
    public void Table_is_a_complete_canonical_code()
    {
        var lengths = HuffmanTable.Lengths.ToArray();
        var codes = HuffmanTable.Codes.ToArray();
        Assert.Equal(257, lengths.Length);
        Assert.Equal(257, codes.Length);

        // Kraft equality: every bit string is a prefix of exactly one code (a complete prefix code).
        var kraft = lengths.Aggregate(BigInteger.Zero, (sum, length) => sum + (BigInteger.One << (30 - length)));
        Assert.Equal(BigInteger.One << 30, kraft);

        // Canonical: sorted by (length, symbol), each code is the previous plus one, shifted to its length.
        var order = Enumerable.Range(0, 257).OrderBy(s => lengths[s]).ThenBy(s => s).ToArray();
        uint expected = 0;
        for (int i = 0; i < order.Length; i++)
        {
            if (i > 0)
            {
                expected = (expected + 1) << (lengths[order[i]] - lengths[order[i - 1]]);
            }

            Assert.True(expected == codes[order[i]], $"symbol {order[i]}");
        }
    }

    [Fact]
    public void Every_symbol_round_trips()
    {
        for (int symbol = 0; symbol < 256; symbol++)
        {
            var encoded = Encode([(byte)symbol, (byte)'a', (byte)symbol]);
            var decoded = new byte[HuffmanDecoder.MaxDecodedLength(encoded.Length)];
            Assert.True(HuffmanDecoder.TryDecode(encoded, decoded, out int written), $"symbol {symbol}");
            Assert.Equal(new[] { (byte)symbol, (byte)'a', (byte)symbol }, decoded[..written]);
        }
    }

    [Theory]
    [InlineData("ff", false)] // 8 bits of padding
    [InlineData("1f", true)] // 00011 is 'a', then 111 padding
    [InlineData("fffffffc", false)] // 30 ones: EOS
    [InlineData("", true)]
    public void Padding_and_eos_rules(string hex, bool valid)
    {
        var bytes = Convert.FromHexString(hex);
        var output = new byte[16];
        Assert.Equal(valid, HuffmanDecoder.TryDecode(bytes, output, out _));
    }

    [Fact]
    public void Padding_that_is_not_all_ones_is_rejected()
    {
        // 'a' is 00011 (5 bits); pad with 000 instead of 111.
        Assert.False(HuffmanDecoder.TryDecode([0b0001_1000], new byte[4], out _));
        Assert.True(HuffmanDecoder.TryDecode([0b0001_1111], new byte[4], out int written));
        Assert.Equal(1, written);
    }

    internal static byte[] Encode(ReadOnlySpan<byte> text)
    {
        var bits = new List<bool>();
        foreach (byte b in text)
        {
            uint code = HuffmanTable.Codes[b];
            int length = HuffmanTable.Lengths[b];
            for (int i = length - 1; i >= 0; i--)
            {
                bits.Add(((code >> i) & 1) != 0);
            }
        }

        while (bits.Count % 8 != 0)
        {
            bits.Add(true);
        }

        var bytes = new byte[bits.Count / 8];
        for (int i = 0; i < bits.Count; i++)
        {
            if (bits[i])
            {
                bytes[i / 8] |= (byte)(0x80 >> (i % 8));
            }
        }

        return bytes;
    }
}
