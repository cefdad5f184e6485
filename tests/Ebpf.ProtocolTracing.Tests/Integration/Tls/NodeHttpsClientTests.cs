using System.Diagnostics;
using System.Globalization;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Tls;

/// <summary>
/// node's https client → nginx over HTTPS. node links OpenSSL statically and exports it, so its
/// SSL_read/SSL_write are probed on the node executable itself; it moves the ciphertext through its own
/// BIOs on its single I/O thread, right before SSL_read and after SSL_write. node runs before the
/// tracer starts (its executable is then probed by the initial scan, deterministically) and makes its
/// requests once told to on stdin.
/// </summary>
[Collection("Kernel")]
public sealed class NodeHttpsClientTests
{
    // Waits for a line on stdin, makes two requests on one kept-alive connection, prints status:length of each.
    private const string ClientScript = """
        const https = require('https');
        const [port] = process.argv.slice(1);
        const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
        function send(method, path, body) {
          return new Promise((resolve, reject) => {
            const req = https.request({ host: '127.0.0.1', port: Number(port), method, path, agent, rejectUnauthorized: false,
              headers: body ? { 'content-type': 'text/plain', 'content-length': body.length } : {} }, res => {
              let got = '';
              res.on('data', d => got += d);
              res.on('end', () => resolve(res.statusCode + ':' + got.length));
            });
            req.on('error', reject);
            req.end(body);
          });
        }
        process.stdin.once('data', async () => {
          try {
          const first = await send('GET', '/index.html?client=node');
          const second = await send('POST', '/created', 'n'.repeat(1500));
          console.log(first + ' ' + second);
          agent.destroy();
          process.exit(0);
          } catch (e) { console.error(e); process.exit(1); }
        });
        console.log('ready');
        """;

    [KernelFact]
    public async Task Node_https_client_yields_encrypted_records_tied_to_its_socket()
    {
        await using var nginx = await TlsNginxServer.StartAsync();
        var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-e", ClientScript, nginx.Port.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        try
        {
            using var timer = new CancellationTokenSource(TestTimeouts.Process);
            Assert.Equal("ready", await node.StandardOutput.ReadLineAsync(timer.Token));
            await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions());

            await node.StandardInput.WriteLineAsync("go");
            await node.StandardInput.FlushAsync(timer.Token);
            var output = await node.StandardOutput.ReadToEndAsync(timer.Token);
            await node.WaitForExitAsync(timer.Token);
            Assert.True(node.ExitCode == 0, $"node exited with {node.ExitCode}: {await node.StandardError.ReadToEndAsync(timer.Token)}");
            Assert.Equal($"200:{TlsNginxServer.IndexBody.Length} 201:{TlsNginxServer.CreatedBody.Length}", output.Trim());
            await AssertRecordsAsync(session, nginx, node.Id);
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task AssertRecordsAsync(TracingSession session, TlsNginxServer nginx, int nodePid)
    {
        var sent = await session.WaitForAsync<HttpRecord>(r => r.Pid == nodePid && r.RemoteEndPoint?.Port == nginx.Port, count: 2, what: "node's side");
        var get = Assert.Single(sent, r => r.Method == "GET");
        var post = Assert.Single(sent, r => r.Method == "POST");
        Assert.Equal("/index.html?client=node", get.Target);
        Assert.Equal(200, get.StatusCode);
        Assert.Equal(TlsNginxServer.IndexBody.Length, get.ResponseBodySize);
        Assert.Equal("/created", post.Target);
        Assert.Equal(201, post.StatusCode);
        Assert.Equal(1500, post.RequestBodySize);
        foreach (var record in sent)
        {
            Assert.Equal(ConnectionRole.Client, record.Role);
            Assert.True(record.Encrypted, $"not marked encrypted: {record}");
            Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}");
        }

        // Both requests went over one connection, and nginx saw the same one.
        Assert.Equal(get.LocalEndPoint, post.LocalEndPoint);
        var served = await session.WaitForAsync<HttpRecord>(r => r.Pid == nginx.Pid && r.RemoteEndPoint?.Port == get.LocalEndPoint?.Port, count: 2, what: "nginx's side");
        Assert.Equal(2, served.Count);
        TlsAssertions.NoUnencryptedRecordsOnPort(session, nginx.Port);
    }
}
