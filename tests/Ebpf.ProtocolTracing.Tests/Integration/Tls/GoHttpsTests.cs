using System.Diagnostics;
using System.Globalization;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Tls;

/// <summary>
/// A Go HTTPS client → a Go HTTPS server (crypto/tls, built in the test): both ends' plaintext from the
/// uprobes on crypto/tls.(*Conn).Read/Write in the executable, tied to each end's socket. Both processes
/// run before the tracer starts, so the initial scan probes their executable (one file, both roles), and
/// the client sends its requests once told to on stdin.
/// </summary>
[Collection("Kernel")]
public sealed class GoHttpsTests
{
    private static readonly string StoredBody = string.Create(CultureInfo.InvariantCulture, $"stored {GoTlsProgram.PostBody.Length} bytes");

    [KernelFact]
    public Task Http1_over_go_tls_yields_encrypted_records_on_both_ends()
        => RunAsync(http2: false);

    [KernelFact]
    public Task Http2_over_go_tls_yields_encrypted_records_on_both_ends()
        => RunAsync(http2: true);

    /// <summary>A position-independent server is loaded at a random base: the kernel adjusts the itab check by the load bias.</summary>
    [KernelFact]
    public Task A_position_independent_go_server_is_traced_too()
        => RunAsync(http2: false, serverVariant: "pie");

    private static async Task RunAsync(bool http2, string serverVariant = "default")
    {
        var program = await GoTlsProgram.BuildAsync();
        var serverProgram = await GoTlsProgram.BuildAsync(serverVariant);
        using var certificate = await TlsCertificate.CreateAsync();
        var mode = http2 ? "h2" : "h1";
        using var server = GoTlsProgram.Start(serverProgram, "server", certificate.CertificatePath, certificate.KeyPath, mode);
        Process? client = null;
        try
        {
            using var timer = new CancellationTokenSource(TestTimeouts.Process);
            var listening = await server.StandardOutput.ReadLineAsync(timer.Token);
            if (listening?.StartsWith("listening ", StringComparison.Ordinal) != true)
            {
                Assert.Fail($"the server said '{listening}': {await ReadErrorAsync(server)}");
            }

            var port = int.Parse(listening!["listening ".Length..], CultureInfo.InvariantCulture);

            client = GoTlsProgram.Start(program, "client", string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{port}"), mode);
            Assert.Equal("ready", await client.StandardOutput.ReadLineAsync(timer.Token));
            // Only the two Go processes: other traffic on a busy host must not crowd their events out.
            var options = new ProtocolTracingOptions();
            options.ProcessIds.Add(server.Id);
            options.ProcessIds.Add(client.Id);
            await using var session = await TracingSession.StartAsync(options, BuiltInParsers.CreateAll());

            await client.StandardInput.WriteLineAsync("go");
            await client.StandardInput.FlushAsync(timer.Token);
            var output = await client.StandardOutput.ReadToEndAsync(timer.Token);
            await client.WaitForExitAsync(timer.Token);
            if (client.ExitCode != 0)
            {
                var clientError = await client.StandardError.ReadToEndAsync(timer.Token);
                var serverState = server.HasExited ? $"exited with {server.ExitCode}" : "running";
                Assert.Fail($"client exited with {client.ExitCode}: {clientError}\nserver ({serverState}): {await ReadErrorAsync(server)}");
            }

            var protocol = http2 ? "HTTP/2.0" : "HTTP/1.1";
            Assert.Equal($"200:{GoTlsProgram.HelloBody.Length} 201:{StoredBody.Length} {protocol}", output.Trim());

            await AssertRecordsAsync(session, port, server.Id, client.Id, http2);
        }
        finally
        {
            Stop(client);
            Stop(server);
            client?.Dispose();
        }
    }

    private static async Task AssertRecordsAsync(TracingSession session, int port, int serverPid, int clientPid, bool http2)
    {
        var sent = await session.WaitForAsync<HttpRecord>(r => r.Pid == clientPid && r.RemoteEndPoint?.Port == port, count: 2, what: "the Go client's side");
        var served = await session.WaitForAsync<HttpRecord>(r => r.Pid == serverPid && r.LocalEndPoint?.Port == port, count: 2, what: "the Go server's side");
        foreach (var (records, role) in new[] { (sent, ConnectionRole.Client), (served, ConnectionRole.Server) })
        {
            Assert.True(records.Count == 2, $"{role}: expected the GET and the POST, got {records.Count}:\n  {string.Join("\n  ", records)}");
            var get = Assert.Single(records, r => r.Method == "GET");
            var post = Assert.Single(records, r => r.Method == "POST");
            Assert.Equal("/hello?from=go", get.Target);
            Assert.Equal(200, get.StatusCode);
            Assert.Equal(GoTlsProgram.HelloBody.Length, get.ResponseBodySize);
            Assert.Equal("/items", post.Target);
            Assert.Equal(201, post.StatusCode);
            Assert.Equal(GoTlsProgram.PostBody.Length, post.RequestBodySize);
            Assert.Equal(StoredBody.Length, post.ResponseBodySize);
            foreach (var record in records)
            {
                Assert.Equal(role, record.Role);
                Assert.True(record.Encrypted, $"not marked encrypted: {record}");
                Assert.False(record.DataLost, $"data lost: {record}");
                Assert.Equal(http2 ? "HTTP/2" : "HTTP/1.1", record.Version);
                Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}");
            }
        }

        // One connection, seen from both ends (tied to the sockets: the endpoints match).
        Assert.Equal(sent[0].LocalEndPoint, sent[1].LocalEndPoint);
        Assert.Equal(sent[0].LocalEndPoint?.Port, served[0].RemoteEndPoint?.Port);
        Assert.Equal(sent[0].LocalEndPoint?.Port, served[1].RemoteEndPoint?.Port);
        TlsAssertions.NoUnencryptedRecordsOnPort(session, port);
    }

    private static async Task<string> ReadErrorAsync(Process process)
    {
        Stop(process);
        return await process.StandardError.ReadToEndAsync();
    }

    private static void Stop(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }
}
