using System.Reflection;
using Ebpf.ProtocolTracing.Amqp;
using Ebpf.ProtocolTracing.Tests.Fixtures;

namespace Ebpf.ProtocolTracing.Tests.Integration.Amqp;

/// <summary>Checks shared by the AMQP tests on the real kernel.</summary>
internal static class AmqpRecordAssertions
{
    /// <summary>Whether the record is of a connection of <paramref name="pid"/> to the test's broker.</summary>
    public static bool ClientOf(AmqpRecord record, RabbitMqServer broker, int pid) =>
        record.Pid == pid && record.RemoteEndPoint?.Port == broker.Port && record.Role == ConnectionRole.Client;

    /// <summary>No AMQP record seen so far — the client's or the broker's side — holds <paramref name="secret"/> in a field or its summary.</summary>
    public static void NoRecordHolds(TracingSession session, string secret)
    {
        var properties = typeof(AmqpRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        foreach (var record in session.Snapshot().OfType<AmqpRecord>())
        {
            Assert.DoesNotContain(secret, record.ToString(), StringComparison.Ordinal);
            foreach (var property in properties)
            {
                Assert.DoesNotContain(secret, property.GetValue(record)?.ToString() ?? string.Empty, StringComparison.Ordinal);
            }
        }
    }
}
