using System.Reflection;
using Ebpf.ProtocolTracing.Amqp;
using static Ebpf.ProtocolTracing.Parsers.Tests.Amqp.AmqpWire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Amqp;

/// <summary>The SASL response (PLAIN user and password), challenges and new secrets never reach a record unless redaction is turned off.</summary>
public sealed class AmqpRedactionTests
{
    private static byte[] Conversation() => Concat(
        ProtocolHeader,
        StartOk("alice-SECRET-user", "pw-SECRET-1"),
        Method(0, 10, 21, a => a.LongString("resp-SECRET-2"u8)),
        Method(0, 10, 70, a => a.LongString("token-SECRET-3"u8).ShortString("rotation")));

    [Fact]
    public void Secret_bytes_appear_in_no_field_and_no_summary_at_any_split()
    {
        var bytes = Conversation();
        foreach (bool multiSegment in new[] { false, true })
        {
            for (int at = 0; at <= bytes.Length; at += 7)
            {
                var driver = Driver(multiSegment: multiSegment);
                driver.Receive(Concat(ConnectionStart(), Method(0, 10, 20, a => a.LongString("challenge-SECRET-4"u8))));
                driver.Send(bytes.AsSpan(0, at).ToArray());
                driver.Send(bytes.AsSpan(at).ToArray());
                driver.Receive(Method(0, 10, 71));
                driver.Complete();

                var records = driver.Records();
                Assert.Equal(["connection.start", "connection.secure", "connection.update-secret"], records.Select(r => r.Method));
                Assert.Equal("PLAIN", records[0].Mechanism);
                Assert.All(records, r => Assert.Equal(AmqpParserOptions.RedactedValue, r.Secret));
                Assert.All(records, AssertNoSecret);
            }
        }
    }

    [Fact]
    public void Redaction_can_be_turned_off()
    {
        var driver = Driver(new AmqpParserOptions { RedactSecrets = false });
        driver.Receive(ConnectionStart());
        driver.Send(StartOk("alice", "pw-SECRET-1"));
        var record = Assert.Single(driver.Records());
        Assert.Equal("\\x00alice\\x00pw-SECRET-1", record.Secret);
        Assert.Contains("pw-SECRET-1", record.ToString(), StringComparison.Ordinal);
    }

    internal static void AssertNoSecret(AmqpRecord record)
    {
        Assert.DoesNotContain("SECRET", record.ToString(), StringComparison.Ordinal);
        foreach (var property in typeof(AmqpRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Assert.DoesNotContain("SECRET", property.GetValue(record)?.ToString() ?? string.Empty, StringComparison.Ordinal);
        }
    }
}
