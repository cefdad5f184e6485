using System.Text;
using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>Random and mutated input never throws, never loops, never grows state without bound.</summary>
public sealed class HttpParserRobustnessTests
{
    private const string TextAlphabet = "GET HTTP/1.1 :\r\n0123456789abcdef;";

    private static readonly byte[] ValidConversation = Encoding.UTF8.GetBytes(
        HttpSamples.BrowserGet + HttpSamples.PostWithBody + "GET /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0\r\nT: 1\r\n\r\n");

    private static readonly byte[] ValidResponses = Encoding.UTF8.GetBytes(
        HttpSamples.SmallResponse + HttpSamples.ChunkedResponse + "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomBytes_NeverThrow_AndStayBounded(int seed)
    {
        var random = new Random(seed);
        var options = new HttpParserOptions { MaxHeaderBytes = 4096, MaxPendingRequests = 8 };
        for (int iteration = 0; iteration < 1500; iteration++)
        {
            var driver = new ParserDriver(options, multiSegment: iteration % 7 == 0);
            for (int piece = 0; piece < 8; piece++)
            {
                var bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
                if (random.Next(3) == 0)
                {
                    // Mostly-text garbage reaches deeper into the scanner than uniform noise.
                    for (int i = 0; i < bytes.Length; i++)
                    {
                        bytes[i] = (byte)TextAlphabet[bytes[i] % TextAlphabet.Length];
                    }
                }

                var direction = (StreamDirection)random.Next(2);
                if (random.Next(10) == 0)
                {
                    driver.Gap(direction, random.Next(1, 5000));
                }
                else
                {
                    driver.Feed(direction, bytes);
                }
            }

            driver.Complete();
            AssertBounded(driver, options);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void MutatedValidTraffic_NeverThrows_AndStaysBounded(int seed)
    {
        var random = new Random(seed);
        var options = new HttpParserOptions { MaxHeaderBytes = 4096, MaxPendingRequests = 8, MaxBodyBytes = 64 };
        int records = 0;
        for (int iteration = 0; iteration < 2000; iteration++)
        {
            var requests = Mutate(ValidConversation, random);
            var responses = Mutate(ValidResponses, random);
            var driver = new ParserDriver(options, multiSegment: iteration % 5 == 0);
            int r = 0, s = 0;
            while (r < requests.Length || s < responses.Length)
            {
                if (r < requests.Length && (s >= responses.Length || random.Next(2) == 0))
                {
                    int n = Math.Min(random.Next(1, 120), requests.Length - r);
                    driver.Feed(StreamDirection.Egress, requests.AsSpan(r, n));
                    r += n;
                }
                else
                {
                    int n = Math.Min(random.Next(1, 120), responses.Length - s);
                    driver.Feed(StreamDirection.Ingress, responses.AsSpan(s, n));
                    s += n;
                }
            }

            driver.Complete();
            AssertBounded(driver, options);
            records += driver.Records.Count;
        }

        // Most mutations leave much of the traffic readable: the parser must still find it.
        Assert.True(records > 2000, $"only {records} records from 2000 mutated conversations");
    }

    [Fact]
    public void EndlessHeaderWithoutLineEnd_IsRejectedAtTheLimit()
    {
        var driver = new ParserDriver(new HttpParserOptions { MaxHeaderBytes = 2048 });
        driver.Send("GET / HTTP/1.1\r\nX-A: ");
        for (int i = 0; i < 100; i++)
        {
            driver.Send(new string('a', 100));
        }

        Assert.True(driver.InvalidCount >= 1);
        Assert.True(driver.MaxBuffered <= 2048 + 100, $"held {driver.MaxBuffered} bytes");
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var copy = (byte[])source.Clone();
        int mutations = random.Next(0, 4);
        for (int i = 0; i < mutations; i++)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }

    private static void AssertBounded(ParserDriver driver, HttpParserOptions options)
    {
        var parser = Assert.IsType<HttpConnectionParser>(driver.Parser);
        Assert.True(parser.PendingRequestCount <= options.MaxPendingRequests);
        Assert.True(driver.MaxBuffered <= Math.Max(options.MaxHeaderBytes, 16 * 1024) + 300, $"held {driver.MaxBuffered} bytes");
        foreach (var record in driver.Records)
        {
            Assert.True(record.Record.RequestBody.Length <= options.MaxBodyBytes && record.Record.ResponseBody.Length <= options.MaxBodyBytes);
            Assert.True(record.Record.RequestBodySize >= record.Record.RequestBody.Length);
        }
    }
}
