using Ebpf.ProtocolTracing.Tests.Fixtures;

namespace Ebpf.ProtocolTracing.Tests.Integration.Tls;

/// <summary>Checks shared by the TLS tests.</summary>
internal static class TlsAssertions
{
    /// <summary>Every record of a connection to or from <paramref name="port"/> came from plaintext: none from ciphertext.</summary>
    public static void NoUnencryptedRecordsOnPort(TracingSession session, int port)
    {
        var garbage = session.Snapshot()
            .Where(r => r.LocalEndPoint?.Port == port || r.RemoteEndPoint?.Port == port)
            .Where(r => !r.Encrypted)
            .ToList();
        Assert.True(garbage.Count == 0, $"records not from TLS plaintext on port {port}:\n  {string.Join("\n  ", garbage)}");
    }
}
