using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>The vector searches must agree with the plain span searches on every byte value and every position.</summary>
public sealed class HttpFieldLineVectorScannerTests
{
    [Fact]
    public void EveryByteValue_IsClassifiedLikeTheReference()
    {
        Assert.True(HttpFieldLineVectorScanner.IsSupported, "this machine should run the vector path; the test would prove nothing otherwise");
        for (int value = 0; value < 256; value++)
        {
            for (int position = 0; position < 70; position += 7)
            {
                var data = new byte[70];
                data.AsSpan().Fill((byte)'a');
                data[position] = (byte)value;
                AssertAgrees(data, 0);
                AssertAgrees(data, Math.Min(position, 3));
            }
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void RandomLines_AgreeWithTheReference(int seed)
    {
        var random = new Random(seed);
        const string alphabet = "abcXYZ09-_:; \t\r\n\"(),/\x01\x7f\x80\xff";
        for (int i = 0; i < 20_000; i++)
        {
            var data = new byte[random.Next(0, 140)];
            for (int b = 0; b < data.Length; b++)
            {
                data[b] = (byte)alphabet[random.Next(alphabet.Length)];
            }

            AssertAgrees(data, data.Length == 0 ? 0 : random.Next(data.Length));
        }
    }

    [Fact]
    public void FieldLinesOfEveryNameAndValueLength_AgreeWithTheReference()
    {
        // Names and values that end in every position of a block, in the same block and across blocks.
        foreach (var ending in new[] { "\r\n", "\n", "\r", "", "\x01rest\r\n" })
        {
            for (int nameLength = 0; nameLength < 70; nameLength++)
            {
                for (int valueLength = 0; valueLength < 70; valueLength += 3)
                {
                    var line = new string('n', nameLength) + ":" + new string('v', valueLength) + ending;
                    AssertAgrees(System.Text.Encoding.ASCII.GetBytes(line), 0);
                }
            }
        }
    }

    private static void AssertAgrees(byte[] data, int from)
    {
        int nonToken = data.AsSpan(from).IndexOfAnyExcept(HttpCharacters.Token);
        Assert.Equal(nonToken < 0 ? -1 : from + nonToken, HttpFieldLineVectorScanner.IndexOfNonToken(data, from));

        int control = HttpCharacters.IndexOfControl(data.AsSpan(from));
        Assert.Equal(control < 0 ? -1 : from + control, HttpFieldLineVectorScanner.IndexOfControl(data, from));

        // The one-pass search: the name's end from the start, then the value's end after it.
        int nameEnd = data.AsSpan().IndexOfAnyExcept(HttpCharacters.Token);
        int valueEnd = nameEnd < 0 ? -1 : HttpCharacters.IndexOfControl(data.AsSpan(nameEnd + 1));
        Assert.Equal(nameEnd, HttpFieldLineVectorScanner.IndexOfNameEnd(data, out int actualValueEnd));
        Assert.Equal(valueEnd < 0 ? -1 : nameEnd + 1 + valueEnd, actualValueEnd);
    }
}
