using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// Kestrel speaking cleartext HTTP/2 only (h2c with prior knowledge) on a free loopback port, serving
/// <see cref="GrpcTestService"/> and <c>GET /hello</c>, with a gRPC channel to it.
/// </summary>
internal sealed class GrpcKestrelServer : IAsyncDisposable
{
    public const string HelloBody = "hello over h2c";

    private readonly WebApplication _app;

    private GrpcKestrelServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = false },
        });
    }

    public int Port { get; }

    /// <summary>A channel to the server (one HTTP/2 connection, kept open).</summary>
    public GrpcChannel Channel { get; }

    public static async Task<GrpcKestrelServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<GrpcTestService>();
        app.MapGet("/hello", () => HelloBody);
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new GrpcKestrelServer(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
