using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// An in-process Kestrel HTTPS server (HTTP/1.1 only, a self-signed certificate made in memory) on a
/// free loopback port, with an <see cref="HttpClient"/> that trusts it. On Linux both ends' TLS is
/// OpenSSL's libssl, loaded by .NET's System.Security.Cryptography.Native.OpenSsl shim.
/// </summary>
/// <remarks><c>GET /hello</c> answers 200 <see cref="HelloBody"/>; <c>POST /items</c> answers 201.</remarks>
internal sealed class TlsKestrelServer : IAsyncDisposable
{
    public const string HelloBody = "hello from kestrel over tls";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;

    private TlsKestrelServer(WebApplication app, X509Certificate2 certificate, int port)
    {
        _app = app;
        _certificate = certificate;
        Port = port;
        Client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString() },
        })
        {
            BaseAddress = new Uri($"https://127.0.0.1:{port}"),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TestTimeouts.Process,
        };
    }

    public int Port { get; }

    /// <summary>A client for this server (its connection is kept alive between requests).</summary>
    public HttpClient Client { get; }

    public static async Task<TlsKestrelServer> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        app.MapGet("/hello", () => HelloBody);
        app.MapPost("/items", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            return Results.Created("/items/1", $"received {body.Length} bytes");
        });
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new TlsKestrelServer(app, certificate, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Round-trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }
}
