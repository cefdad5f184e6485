namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>A self-signed certificate for localhost, made with the openssl command line tool in a temporary directory.</summary>
internal sealed class TlsCertificate : IDisposable
{
    private TlsCertificate(string directory)
    {
        Directory = directory;
    }

    /// <summary>The directory holding the files (removed on dispose).</summary>
    public string Directory { get; }

    /// <summary>The certificate, PEM.</summary>
    public string CertificatePath => Path.Combine(Directory, "cert.pem");

    /// <summary>The private key, PEM, unencrypted.</summary>
    public string KeyPath => Path.Combine(Directory, "key.pem");

    /// <summary>Creates a 2048-bit RSA key and a certificate for CN=localhost valid for one day.</summary>
    public static async Task<TlsCertificate> CreateAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("tls-test-").FullName;
        var certificate = new TlsCertificate(directory);
        var run = await ProcessRun.RunAsync(
            "openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", certificate.KeyPath, "-out", certificate.CertificatePath],
            TestTimeouts.Process);
        if (run.ExitCode != 0)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"openssl req failed ({run.ExitCode}): {run.StandardError}");
        }

        return certificate;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
