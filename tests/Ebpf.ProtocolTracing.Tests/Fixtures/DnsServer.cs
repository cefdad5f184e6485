using System.Diagnostics;
using System.Globalization;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A private dnsmasq (the distribution's binary) on a free loopback port (or a given address and port), in the foreground, authoritative
/// for <c>dns.test</c> from its own config (no upstream, no hosts file). Killed and its directory removed on dispose.
/// </summary>
internal sealed class DnsServer : IAsyncDisposable
{
    public const string Zone = "dns.test";
    public const string WebName = "web.dns.test";
    public const string WebAddress = "192.0.2.10";
    public const string WebAddress6 = "2001:db8::10";
    public const string AliasName = "alias.dns.test";
    public const string TxtName = "txt.dns.test";
    public const string TxtText = "hello tracer";
    public const string SrvName = "_http._tcp.dns.test";
    public const string MissingName = "missing.dns.test";

    private readonly Process _process;
    private readonly string _directory;

    private DnsServer(Process process, string directory, string address, int port)
    {
        _process = process;
        _directory = directory;
        Address = address;
        Port = port;
    }

    public string Address { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    /// <param name="address">The loopback address to listen on.</param>
    /// <param name="port">The port; a free one when <see langword="null"/>.</param>
    public static async Task<DnsServer> StartAsync(string address = "127.0.0.1", int? port = null)
    {
        var directory = Directory.CreateTempSubdirectory("dns-test-").FullName;
        int listenPort = port ?? FreeTcpPort.Find();
        var config = Path.Combine(directory, "dnsmasq.conf");
        await File.WriteAllLinesAsync(config,
        [
            $"local=/{Zone}/",
            $"address=/{WebName}/{WebAddress}",
            $"address=/{WebName}/{WebAddress6}",
            $"cname={AliasName},{WebName}",
            $"txt-record={TxtName},\"{TxtText}\"",
            $"srv-host={SrvName},{WebName},8080,1,5",
            $"mx-host={Zone},mail.{Zone},10",
        ]);
        var start = new ProcessStartInfo("dnsmasq")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces",
            "--listen-address=" + address, "--port=" + listenPort.ToString(CultureInfo.InvariantCulture),
            "--conf-file=" + config, "--pid-file=" + Path.Combine(directory, "dnsmasq.pid"), "--user=root",
            "--log-facility=" + Path.Combine(directory, "dnsmasq.log"),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = ServerProcess.Start(start, directory, "dnsmasq-base dnsutils");

        var server = new DnsServer(process, directory, address, listenPort);
        try
        {
            if (!await FreeTcpPort.WaitUntilListeningAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(address), listenPort), () => !process.HasExited, TestTimeouts.Process))
            {
                throw new InvalidOperationException($"dnsmasq did not listen on {address}:{listenPort} within {TestTimeouts.Process.TotalSeconds} s: {await process.StandardError.ReadToEndAsync()}");
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Runs <c>dig</c> against this server (one try, no search list); <paramref name="arguments"/> are names, types and options.</summary>
    public Task<ProcessRun> DigAsync(params string[] arguments) =>
        ProcessRun.RunAsync("dig", ["@" + Address, "-p", Port.ToString(CultureInfo.InvariantCulture), "+tries=1", "+time=5", .. arguments], TestTimeouts.Process);

    public ValueTask DisposeAsync() => ServerProcess.StopAsync(_process, _directory);
}
