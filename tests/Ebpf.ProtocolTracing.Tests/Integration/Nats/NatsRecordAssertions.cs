using System.Reflection;
using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Tests.Fixtures;

namespace Ebpf.ProtocolTracing.Tests.Integration.Nats;

/// <summary>Checks over every NATS record of one server.</summary>
internal static class NatsRecordAssertions
{
    /// <summary>No field and no summary of any record on the server's port holds <paramref name="secret"/>.</summary>
    public static void NoRecordHolds(TracingSession session, NatsServer nats, string secret)
    {
        var records = session.Snapshot().OfType<NatsRecord>()
            .Where(r => r.LocalEndPoint?.Port == nats.Port || r.RemoteEndPoint?.Port == nats.Port).ToList();
        Assert.NotEmpty(records);
        foreach (var record in records)
        {
            Assert.DoesNotContain(secret, record.ToString(), StringComparison.Ordinal);
            foreach (var property in typeof(NatsRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var value = property.GetValue(record);
                var text = value is IEnumerable<string> list ? string.Join("|", list) : value?.ToString() ?? string.Empty;
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }
}
