namespace Ebpf.ProtocolTracing.Benchmarks.Http2;

/// <summary>Realistic HTTP/2 header lists: a browser navigation and a gRPC unary call with its trailers.</summary>
internal static class Http2BenchmarkPayloads
{
    /// <summary>A Chrome-like navigation request (18 fields).</summary>
    public static (string, string)[] BrowserRequest(string path) =>
    [
        (":method", "GET"),
        (":authority", "www.example.com"),
        (":scheme", "https"),
        (":path", path),
        ("sec-ch-ua", "\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\""),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", "\"Linux\""),
        ("upgrade-insecure-requests", "1"),
        ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"),
        ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"),
        ("sec-fetch-site", "same-origin"),
        ("sec-fetch-mode", "navigate"),
        ("sec-fetch-user", "?1"),
        ("sec-fetch-dest", "document"),
        ("referer", "https://www.example.com/products"),
        ("accept-encoding", "gzip, deflate, br, zstd"),
        ("accept-language", "en-US,en;q=0.9"),
        ("cookie", "session=7f3a9c2e4b1d8f60; theme=dark; consent=1"),
    ];

    /// <summary>The response to the navigation (8 fields).</summary>
    public static readonly (string, string)[] BrowserResponse =
    [
        (":status", "200"),
        ("content-type", "text/html; charset=utf-8"),
        ("content-length", "4096"),
        ("date", "Tue, 24 Nov 2026 19:30:00 GMT"),
        ("server", "nginx/1.22.1"),
        ("cache-control", "private, max-age=0"),
        ("vary", "Accept-Encoding"),
        ("strict-transport-security", "max-age=31536000"),
    ];

    /// <summary>A grpc-dotnet unary request (8 fields).</summary>
    public static readonly (string, string)[] GrpcRequest =
    [
        (":method", "POST"),
        (":scheme", "http"),
        (":path", "/greet.Greeter/SayHello"),
        (":authority", "localhost:5000"),
        ("content-type", "application/grpc"),
        ("te", "trailers"),
        ("grpc-accept-encoding", "identity,gzip,deflate"),
        ("user-agent", "grpc-dotnet/2.71.0 (.NET 10.0.0; CLR 10.0.0; net10.0; linux; x64)"),
    ];

    /// <summary>Kestrel's response headers to it (4 fields).</summary>
    public static readonly (string, string)[] GrpcResponse =
    [
        (":status", "200"),
        ("content-type", "application/grpc"),
        ("date", "Tue, 24 Nov 2026 19:30:00 GMT"),
        ("server", "Kestrel"),
    ];

    /// <summary>The call's trailers (2 fields).</summary>
    public static readonly (string, string)[] GrpcTrailers =
    [
        ("grpc-status", "0"),
        ("grpc-message", "OK"),
    ];

    /// <summary>{1: "world"}, a HelloRequest.</summary>
    public static readonly byte[] HelloRequest = [0x0a, 0x05, .. "world"u8];

    /// <summary>{1: "hello world", 2: 150}, a HelloReply.</summary>
    public static readonly byte[] HelloReply = [0x0a, 0x0b, .. "hello world"u8, 0x10, 0x96, 0x01];
}
