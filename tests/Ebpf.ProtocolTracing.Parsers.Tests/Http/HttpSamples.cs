namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>Wire bytes used by several tests.</summary>
internal static class HttpSamples
{
    public const string BrowserGet =
        "GET /products/42?ref=home HTTP/1.1\r\n" +
        "Host: shop.example.com\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
        "Accept-Language: en-US,en;q=0.5\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Connection: keep-alive\r\n" +
        "Cookie: session=abc123; theme=dark\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "Sec-Fetch-Dest: document\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "\r\n";

    public const string SmallResponse =
        "HTTP/1.1 200 OK\r\n" +
        "Date: Tue, 24 Nov 2026 16:00:00 GMT\r\n" +
        "Server: nginx/1.24.0\r\n" +
        "Content-Type: text/html; charset=utf-8\r\n" +
        "Content-Length: 13\r\n" +
        "Set-Cookie: id=xyz; HttpOnly\r\n" +
        "\r\n" +
        "<p>hello</p>\n";

    public const string PostWithBody =
        "POST /api/items HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: 11\r\nAuthorization: Bearer s3cr3t\r\n\r\n{\"a\":[1,2]}";

    public const string ChunkedResponse =
        "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "5;name=value\r\nhello\r\n" +
        "7\r\n, world\r\n" +
        "0\r\nX-Checksum: 99\r\n\r\n";
}
