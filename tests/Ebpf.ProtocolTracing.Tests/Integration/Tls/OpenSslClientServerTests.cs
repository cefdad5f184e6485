using System.Diagnostics;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Tls;

/// <summary>
/// openssl s_client → openssl s_server -www. The client's plaintext goes through the exported
/// SSL_write/SSL_read. s_server -www reads and writes through an SSL BIO (BIO_f_ssl), which in OpenSSL 3
/// calls the library-internal ssl_read_internal/ssl_write_internal directly, so no exported function
/// sees its plaintext and its side is not captured (see docs/architecture.md, TLS).
/// </summary>
[Collection("Kernel")]
public sealed class OpenSslClientServerTests
{
    [KernelFact]
    public async Task S_client_get_to_s_server_www_yields_an_encrypted_client_record_and_no_ciphertext_records()
    {
        await using var server = await TlsOpenSslServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions());

        var client = await RunClientAsync(server.Port, "GET /status?tool=s_client HTTP/1.0\r\n\r\n");
        Assert.Contains("HTTP/1.0 200 ok", client.StandardOutput, StringComparison.Ordinal);

        var sent = Assert.Single(await session.WaitForAsync<HttpRecord>(r => r.Pid == client.Pid && r.RemoteEndPoint?.Port == server.Port, what: "s_client's side"));
        Assert.Equal("GET", sent.Method);
        Assert.Equal("/status?tool=s_client", sent.Target);
        Assert.Equal(200, sent.StatusCode);
        Assert.Equal(ConnectionRole.Client, sent.Role);
        Assert.True(sent.Encrypted, $"not marked encrypted: {sent}");
        Assert.True(sent.Latency > TimeSpan.Zero, $"latency {sent.Latency}");
        Assert.True(sent.ResponseBodySize > 0, $"response body {sent.ResponseBodySize}");

        TlsAssertions.NoUnencryptedRecordsOnPort(session, server.Port);
    }

    /// <summary>Runs s_client, sends <paramref name="request"/> after the handshake and reads until the server closes.</summary>
    private static async Task<ProcessRun> RunClientAsync(int port, string request)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "s_client", "-quiet", "-ign_eof", "-connect", $"127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl s_client did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(request);
        await process.StandardInput.FlushAsync();
        process.StandardInput.Close();
        using var timer = new CancellationTokenSource(TestTimeouts.Process);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"openssl s_client did not finish within {TestTimeouts.Process.TotalSeconds} s; stderr: {await stderr}");
        }

        return new ProcessRun(process.Id, process.ExitCode, await stdout, await stderr);
    }
}
