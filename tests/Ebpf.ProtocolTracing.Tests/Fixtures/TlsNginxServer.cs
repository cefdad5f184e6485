using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A private nginx serving HTTPS on a free loopback port with a self-signed certificate, as one
/// process (<c>master_process off</c>) so its pid is the pid that serves the connections.
/// Serves <c>/index.html</c> (<see cref="IndexBody"/>) and <c>/created</c> (<c>return 201</c>).
/// </summary>
internal sealed class TlsNginxServer : IAsyncDisposable
{
    public const string IndexBody = "hello from nginx over tls\n";
    public const string CreatedBody = "created\n";

    private readonly Process _process;
    private readonly string _prefix;
    private readonly TlsCertificate _certificate;

    private TlsNginxServer(Process process, string prefix, TlsCertificate certificate, int port)
    {
        _process = process;
        _prefix = prefix;
        _certificate = certificate;
        Port = port;
    }

    /// <summary>The port nginx listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The server's self-signed certificate (PEM), for clients to trust exactly it.</summary>
    public string CertificatePath => _certificate.CertificatePath;

    /// <summary>The pid of the nginx process that serves connections.</summary>
    public int Pid => _process.Id;

    /// <summary>A URL on this server, e.g. <c>Url("/index.html")</c>.</summary>
    public string Url(string pathAndQuery) => $"https://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}{pathAndQuery}";

    public static async Task<TlsNginxServer> StartAsync()
    {
        var certificate = await TlsCertificate.CreateAsync();
        var prefix = Directory.CreateTempSubdirectory("nginx-tls-test-").FullName;
        var port = FreeTcpPort.Find(IPAddress.Loopback);
        Directory.CreateDirectory(Path.Combine(prefix, "html"));
        await File.WriteAllTextAsync(Path.Combine(prefix, "html", "index.html"), IndexBody);
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, Config(prefix, port, certificate));

        var start = new ProcessStartInfo("nginx") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-p", prefix, "-c", config, "-e", Path.Combine(prefix, "error.log") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start");
        var server = new TlsNginxServer(process, prefix, certificate, port);
        if (!await FreeTcpPort.WaitUntilListeningAsync(new IPEndPoint(IPAddress.Loopback, port), () => !process.HasExited, TestTimeouts.Process))
        {
            var logPath = Path.Combine(prefix, "error.log");
            var log = File.Exists(logPath) ? await File.ReadAllTextAsync(logPath) : "(none)";
            await server.DisposeAsync();
            throw new InvalidOperationException($"nginx did not listen on 127.0.0.1:{port} within {TestTimeouts.Process.TotalSeconds} s. error.log:\n{log}");
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ServerProcess.StopAsync(_process, _prefix);
        }
        finally
        {
            _certificate.Dispose();
        }
    }

    private static string Config(string prefix, int port, TlsCertificate certificate) => string.Create(CultureInfo.InvariantCulture, $$"""
        daemon off;
        master_process off;
        worker_processes 1;
        pid {{prefix}}/nginx.pid;
        error_log {{prefix}}/error.log warn;
        events { worker_connections 64; }
        http {
            access_log off;
            client_body_temp_path {{prefix}}/client_body;
            proxy_temp_path {{prefix}}/proxy;
            fastcgi_temp_path {{prefix}}/fastcgi;
            uwsgi_temp_path {{prefix}}/uwsgi;
            scgi_temp_path {{prefix}}/scgi;
            keepalive_timeout 30s;
            server {
                listen 127.0.0.1:{{port}} ssl;
                ssl_certificate {{certificate.CertificatePath}};
                ssl_certificate_key {{certificate.KeyPath}};
                root {{prefix}}/html;
                default_type text/plain;
                location = /created { return 201 "{{CreatedBody.TrimEnd('\n')}}\n"; }
                location / { }
            }
        }
        """);
}
