using System.Reflection;
using System.Text;
using Ebpf.ProtocolTracing.Nats;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Nats;

/// <summary>CONNECT credentials never reach a record unless redaction is turned off.</summary>
public sealed class NatsRedactionTests
{
    private const string Connect =
        "CONNECT {\"verbose\":false,\"user\":\"alice-SECRET-user\",\"pass\":\"pw-SECRET-1\",\"auth_token\":\"tok-SECRET-2\"," +
        "\"jwt\":\"eyJ-SECRET-3\",\"sig\":\"sig-SECRET-4\",\"nkey\":\"UPUBLICKEY\",\"name\":\"app\"}\r\n";

    [Fact]
    public void Secret_bytes_appear_in_no_field_and_no_summary()
    {
        foreach (bool multiSegment in new[] { false, true })
        {
            var driver = NatsWire.Driver(multiSegment: multiSegment);
            var bytes = Encoding.ASCII.GetBytes(Connect);
            driver.Feed(StreamDirection.Egress, bytes.AsSpan(0, 40));
            driver.Feed(StreamDirection.Egress, bytes.AsSpan(40));

            var record = Assert.Single(driver.Records());
            Assert.Equal(
                ["user=[REDACTED]", "pass=[REDACTED]", "auth_token=[REDACTED]", "jwt=[REDACTED]", "sig=[REDACTED]", "nkey=UPUBLICKEY"],
                record.Credentials);
            Assert.Equal("app", record.Name);
            AssertNoSecret(record);
        }
    }

    [Fact]
    public void Redaction_can_be_turned_off()
    {
        var driver = NatsWire.Driver(new NatsParserOptions { RedactSecrets = false });
        driver.Send(Connect);
        var record = Assert.Single(driver.Records());
        Assert.Contains("pass=pw-SECRET-1", record.Credentials);
        Assert.Contains("pass=pw-SECRET-1", record.ToString(), StringComparison.Ordinal);
    }

    internal static void AssertNoSecret(NatsRecord record)
    {
        Assert.DoesNotContain("SECRET", record.ToString(), StringComparison.Ordinal);
        foreach (var property in typeof(NatsRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(record);
            var text = value is IEnumerable<string> list ? string.Join("|", list) : value?.ToString() ?? string.Empty;
            Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
        }
    }
}
