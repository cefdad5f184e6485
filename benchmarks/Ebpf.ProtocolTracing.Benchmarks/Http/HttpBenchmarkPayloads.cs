using System.Text;

namespace Ebpf.ProtocolTracing.Benchmarks.Http;

/// <summary>Realistic message heads: a browser navigation request and a small API-style response.</summary>
internal static class HttpBenchmarkPayloads
{
    /// <summary>A browser-like GET with 11 header fields (545 bytes).</summary>
    public static readonly byte[] RequestHead = Encoding.ASCII.GetBytes(
        "GET /catalog/products/42?ref=home&utm_source=newsletter HTTP/1.1\r\n" +
        "Host: shop.example.com\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
        "Accept-Language: en-US,en;q=0.5\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Referer: https://shop.example.com/\r\n" +
        "Connection: keep-alive\r\n" +
        "Cookie: session=7f3a9c2e51b04d8e; theme=dark; consent=1\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "Sec-Fetch-Dest: document\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "\r\n");

    /// <summary>A small response head with 6 header fields (194 bytes; its status line is 17).</summary>
    public static readonly byte[] ResponseHead = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\n" +
        "Date: Tue, 24 Nov 2026 16:00:00 GMT\r\n" +
        "Server: nginx/1.24.0\r\n" +
        "Content-Type: application/json; charset=utf-8\r\n" +
        "Content-Length: 27\r\n" +
        "Cache-Control: no-cache\r\n" +
        "Connection: keep-alive\r\n" +
        "\r\n");

    /// <summary>The body that follows <see cref="ResponseHead"/>.</summary>
    public static readonly byte[] ResponseBody = Encoding.ASCII.GetBytes("{\"id\":42,\"name\":\"teapot\"}\r\n");

    /// <summary>Length of the status line of <see cref="ResponseHead"/> including its CRLF.</summary>
    public static readonly int StatusLineLength = Array.IndexOf(ResponseHead, (byte)'\n') + 1;
}
