using System.Diagnostics;
using System.Net;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// <c>openssl s_server -www</c> on a free loopback port: answers each HTTP GET with a 200 status page
/// (a built-in page describing the TLS session). Killed on dispose.
/// </summary>
internal sealed class TlsOpenSslServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TlsCertificate _certificate;

    private TlsOpenSslServer(Process process, TlsCertificate certificate, int port)
    {
        _process = process;
        _certificate = certificate;
        Port = port;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The server's pid.</summary>
    public int Pid => _process.Id;

    public static async Task<TlsOpenSslServer> StartAsync()
    {
        var certificate = await TlsCertificate.CreateAsync();
        var port = FreeTcpPort.Find(IPAddress.Loopback);
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "s_server", "-www", "-quiet", "-accept", $"127.0.0.1:{port}", "-cert", certificate.CertificatePath, "-key", certificate.KeyPath })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        // Its output is not needed, but a full pipe would block it.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var server = new TlsOpenSslServer(process, certificate, port);
        if (!await FreeTcpPort.WaitUntilListeningAsync(new IPEndPoint(IPAddress.Loopback, port), () => !process.HasExited, TestTimeouts.Process))
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"openssl s_server did not listen on 127.0.0.1:{port} within {TestTimeouts.Process.TotalSeconds} s");
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ServerProcess.StopAsync(_process);
        }
        finally
        {
            _certificate.Dispose();
        }
    }
}
