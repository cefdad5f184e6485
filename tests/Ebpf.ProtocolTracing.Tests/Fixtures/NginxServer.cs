using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A private nginx (the distribution's binary) on a free loopback port, in a temporary prefix, as one
/// process (<c>master_process off</c>) so its pid is the pid that accepts and serves the connections.
/// </summary>
/// <remarks>
/// Serves <c>/index.html</c> (static, <see cref="IndexBody"/>) and <c>/created</c>
/// (<c>return 201</c>, any method). Killed and its directory removed on dispose.
/// </remarks>
internal sealed class NginxServer : IAsyncDisposable
{
    public const string IndexBody = "hello from nginx\n";
    public const string CreatedBody = "created\n";

    private readonly Process _process;
    private readonly string _prefix;

    private NginxServer(Process process, string prefix, IPAddress address, int port)
    {
        _process = process;
        _prefix = prefix;
        Address = address;
        Port = port;
    }

    /// <summary>The loopback address nginx listens on (127.0.0.1 or ::1).</summary>
    public IPAddress Address { get; }

    /// <summary>The loopback port nginx listens on.</summary>
    public int Port { get; }

    /// <summary>The pid of the nginx process that accepts and serves connections.</summary>
    public int Pid => _process.Id;

    /// <summary>A URL on this server, e.g. <c>Url("/index.html")</c>.</summary>
    public string Url(string pathAndQuery) => $"http://{new IPEndPoint(Address, Port)}{pathAndQuery}";

    /// <summary>Starts nginx on 127.0.0.1, or on ::1 when <paramref name="ipv6"/> is set.</summary>
    public static async Task<NginxServer> StartAsync(bool ipv6 = false)
    {
        var address = ipv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        var prefix = Directory.CreateTempSubdirectory("nginx-test-").FullName;
        var port = FreeTcpPort.Find(address);
        Directory.CreateDirectory(Path.Combine(prefix, "html"));
        await File.WriteAllTextAsync(Path.Combine(prefix, "html", "index.html"), IndexBody);
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, Config(prefix, new IPEndPoint(address, port)));

        var start = new ProcessStartInfo("nginx")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // -e: the early error log, which would otherwise go to /var/log/nginx before the config is read.
        foreach (var argument in new[] { "-p", prefix, "-c", config, "-e", Path.Combine(prefix, "error.log") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = ServerProcess.Start(start, prefix, "nginx");

        var server = new NginxServer(process, prefix, address, port);
        if (!await FreeTcpPort.WaitUntilListeningAsync(new IPEndPoint(address, port), () => !process.HasExited, TestTimeouts.Process))
        {
            var log = server.ReadErrorLog();
            await server.DisposeAsync();
            throw new InvalidOperationException($"nginx did not listen on {new IPEndPoint(address, port)} within {TestTimeouts.Process.TotalSeconds} s. error.log:\n{log}");
        }

        return server;
    }

    public ValueTask DisposeAsync() => ServerProcess.StopAsync(_process, _prefix);

    private string ReadErrorLog()
    {
        var path = Path.Combine(_prefix, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(none)";
    }

    private static string Config(string prefix, IPEndPoint listen) => string.Create(CultureInfo.InvariantCulture, $$"""
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
                listen {{listen}};
                root {{prefix}}/html;
                default_type text/plain;
                location = /created { return 201 "{{CreatedBody.TrimEnd('\n')}}\n"; }
                location / { }
            }
        }
        """);
}
