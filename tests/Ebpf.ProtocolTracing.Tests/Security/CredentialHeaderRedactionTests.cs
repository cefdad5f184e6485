using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Http2;
using Ebpf.ProtocolTracing.Parsing;
using Microsoft.Extensions.DependencyInjection;

namespace Ebpf.ProtocolTracing.Tests.Security;

/// <summary>
/// Credential headers in HTTP/1.x and HTTP/2: every name on the default list is redacted in requests and
/// responses, in any letter case, from record fields, record text and logs; the list can be extended and
/// reduced per field, through the options and through dependency injection; each test first shows the
/// header was parsed, so a missing header cannot pass for a redacted one.
/// </summary>
public sealed class CredentialHeaderRedactionTests
{
    private const string Marker = SecretConversations.Marker;
    private const string CustomHeader = "X-Tenant-Secret";

    public static TheoryData<string, string> DefaultHeadersInBothVersions()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in HttpParserOptions.DefaultSecretHeaders)
        {
            data.Add("http", name);
            data.Add("http", name.ToUpperInvariant());
            data.Add("http2", name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DefaultHeadersInBothVersions))]
    public void DefaultList_RedactsTheHeaderInRequestAndResponse(string version, string name)
    {
        var logger = new CapturingLogger();

        var record = RunOne(version, name, http1 => { }, http2 => { }, logger);

        Assert.Equal(HttpParserOptions.RedactedValue, record.RequestHeaders[name]);
        Assert.Equal(HttpParserOptions.RedactedValue, record.ResponseHeaders[name]);
        Assert.Empty(SecretLeakScanner.Find(record, Marker));
        Assert.DoesNotContain(logger.Lines, line => line.Contains(Marker, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http")]
    [InlineData("http2")]
    public void CustomHeader_IsShownByDefault_AndRedactedOnceAdded(string version)
    {
        var shown = RunOne(version, CustomHeader, http1 => { }, http2 => { }, new CapturingLogger());
        Assert.Equal(Marker, shown.RequestHeaders[CustomHeader]);

        var logger = new CapturingLogger();
        var hidden = RunOne(version, CustomHeader, http1 => http1.SecretHeaders.Add(CustomHeader), http2 => http2.SecretHeaders.Add(CustomHeader.ToLowerInvariant()), logger);

        Assert.Equal(HttpParserOptions.RedactedValue, hidden.RequestHeaders[CustomHeader]);
        Assert.Equal(HttpParserOptions.RedactedValue, hidden.ResponseHeaders[CustomHeader]);
        Assert.Empty(SecretLeakScanner.Find(hidden, Marker));
        Assert.DoesNotContain(logger.Lines, line => line.Contains(Marker, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http")]
    [InlineData("http2")]
    public void RemovedHeader_IsShown_WhileTheOthersStayRedacted(string version)
    {
        var cookie = RunOne(version, "Cookie", http1 => http1.SecretHeaders.Remove("cookie"), http2 => http2.SecretHeaders.Remove("COOKIE"), new CapturingLogger());
        Assert.Equal(Marker, cookie.RequestHeaders["Cookie"]);

        var authorization = RunOne(version, "Authorization", http1 => http1.SecretHeaders.Remove("cookie"), http2 => http2.SecretHeaders.Remove("COOKIE"), new CapturingLogger());
        Assert.Equal(HttpParserOptions.RedactedValue, authorization.RequestHeaders["Authorization"]);
    }

    [Fact]
    public void OptionsChangedAfterTheParserWasCreated_DoNotReachIt()
    {
        var options = new HttpParserOptions();
        var parser = new HttpParser(options);
        options.SecretHeaders.Clear();
        options.RedactSecrets = false;

        var record = Single(SecretRedactionTests.Run(parser, 8080, SecretConversations.Http1WithField("X-Api-Key", Marker), new CapturingLogger()));

        Assert.Equal(HttpParserOptions.RedactedValue, record.RequestHeaders["X-Api-Key"]);
    }

    [Fact]
    public void FoldedContinuationOfASecretHeader_StaysRedacted()
    {
        byte[] request = "GET / HTTP/1.1\r\nHost: shop\r\nX-Api-Key: first-part\r\n  zQ9SeCrEtMaRkEr7x\r\n\r\n"u8.ToArray();
        byte[] response = "HTTP/1.1 204 No Content\r\n\r\n"u8.ToArray();
        Assert.Contains(Marker, System.Text.Encoding.ASCII.GetString(request), StringComparison.Ordinal);

        var record = Single(SecretRedactionTests.Run(new HttpParser(), 8080, [(StreamDirection.Egress, request), (StreamDirection.Ingress, response)], new CapturingLogger()));

        Assert.Equal(HttpParserOptions.RedactedValue, record.RequestHeaders["X-Api-Key"]);
        Assert.Empty(SecretLeakScanner.Find(record, Marker));
    }

    [Theory]
    [InlineData("")]
    [InlineData("X-Api-Key:")]
    [InlineData("X Api Key")]
    [InlineData("Authorization\r\n")]
    public void NameThatCanNeverMatch_IsRejected_InBothVersions(string name)
    {
        var http1 = new HttpParserOptions();
        http1.SecretHeaders.Add(name);
        var http2 = new Http2ParserOptions();
        http2.SecretHeaders.Add(name);

        Assert.Contains(nameof(HttpParserOptions.SecretHeaders), Assert.Throws<ArgumentException>(() => new HttpParser(http1)).Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Http2ParserOptions.SecretHeaders), Assert.Throws<ArgumentException>(() => new Http2Parser(http2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigureHttpAndHttp2_ReachTheRegisteredParsers()
    {
        var services = new ServiceCollection();
        services.AddProtocolTracing()
            .ConfigureHttp(o => o.SecretHeaders.Add(CustomHeader))
            .ConfigureHttp2(o => o.SecretHeaders.Add(CustomHeader));
        using var provider = services.BuildServiceProvider();
        var parsers = provider.GetServices<IProtocolParser>().ToList();

        var http1 = Single(SecretRedactionTests.Run(parsers.OfType<HttpParser>().Single(), 8080, SecretConversations.Http1WithField(CustomHeader, Marker), new CapturingLogger()));
        var http2 = Single(SecretRedactionTests.Run(parsers.OfType<Http2Parser>().Single(), 8081, SecretConversations.Http2WithField(CustomHeader, Marker), new CapturingLogger()));

        Assert.Equal(HttpParserOptions.RedactedValue, http1.RequestHeaders[CustomHeader]);
        Assert.Equal(HttpParserOptions.RedactedValue, http2.RequestHeaders[CustomHeader]);
    }

    private static HttpRecord RunOne(string version, string name, Action<HttpParserOptions> http1, Action<Http2ParserOptions> http2, CapturingLogger logger)
    {
        List<ProtocolRecord> records;
        if (version == "http")
        {
            var options = new HttpParserOptions();
            http1(options);
            records = SecretRedactionTests.Run(new HttpParser(options), 8080, SecretConversations.Http1WithField(name, Marker), logger);
        }
        else
        {
            var options = new Http2ParserOptions();
            http2(options);
            records = SecretRedactionTests.Run(new Http2Parser(options), 8081, SecretConversations.Http2WithField(name, Marker), logger);
        }

        var record = Single(records);
        Assert.Equal(200, record.StatusCode);
        return record;
    }

    private static HttpRecord Single(List<ProtocolRecord> records) => Assert.IsType<HttpRecord>(Assert.Single(records));
}
