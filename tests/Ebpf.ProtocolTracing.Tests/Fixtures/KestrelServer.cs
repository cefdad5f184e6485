using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// An in-process Kestrel server on a free loopback port, with an <see cref="HttpClient"/> that talks
/// HTTP/1.1 to it: both ends of the traffic live in the test's own process.
/// </summary>
/// <remarks><c>GET /hello</c> answers 200 <see cref="HelloBody"/>; <c>POST /items</c> answers 201 with the body's length.</remarks>
internal sealed class KestrelServer : IAsyncDisposable
{
    public const string HelloBody = "hello from kestrel";

    private readonly WebApplication _app;

    private KestrelServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TestTimeouts.Process,
        };
    }

    public int Port { get; }

    /// <summary>A client for this server (its connections are kept alive between requests).</summary>
    public HttpClient Client { get; }

    public static async Task<KestrelServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
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
        return new KestrelServer(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
