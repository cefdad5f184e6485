using System.Reflection;
using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Redis;

/// <summary>Passwords never reach a record: not a field, not ToString(), not even with redaction's neighbours cut.</summary>
public sealed class RedisRedactionTests
{
    private const string Secret = "Hunter2Secret";

    public static TheoryData<string, string> SecretCommands => new()
    {
        { Resp.Command("AUTH", Secret), "AUTH" },
        { Resp.Command("auth", "alice", Secret), "AUTH" },
        { Resp.Command("HELLO", "3", "AUTH", "alice", Secret, "SETNAME", "app"), "HELLO" },
        { Resp.Command("MIGRATE", "10.0.0.2", "6379", "", "0", "5000", "COPY", "AUTH", Secret, "KEYS", "a", "b"), "MIGRATE" },
        { Resp.Command("MIGRATE", "10.0.0.2", "6379", "k", "0", "5000", "AUTH2", "bob", Secret), "MIGRATE" },
        { Resp.Command("CONFIG", "SET", "maxmemory", "1gb", "requirepass", Secret), "CONFIG SET" },
        { Resp.Command("config", "set", "masterauth", Secret), "CONFIG SET" },
        { Resp.Command("ACL", "SETUSER", "alice", "on", ">" + Secret, "~*"), "ACL SETUSER" },
        { "AUTH " + Secret + "\r\n", "AUTH" },
    };

    [Theory]
    [MemberData(nameof(SecretCommands))]
    public void Secrets_never_appear_in_any_field_or_ToString(string command, string name)
    {
        foreach (var options in new[] { new RedisParserOptions(), new RedisParserOptions { MaxArguments = 2, MaxArgumentLength = 3 } })
        {
            var driver = Resp.Driver(options);
            driver.Send(command);
            driver.Receive("+OK\r\n");

            var record = Assert.Single(driver.Records());
            Assert.Equal(name, record.Command);
            AssertNoSecret(record);
        }

        var full = Resp.Driver();
        full.Send(command);
        full.Receive("+OK\r\n");
        Assert.Contains(RedisParserOptions.RedactedValue, full.Records()[0].Arguments);
    }

    [Fact]
    public void Redaction_can_be_turned_off()
    {
        var driver = Resp.Driver(new RedisParserOptions { RedactSecrets = false });
        driver.Send(Resp.Command("AUTH", Secret));
        driver.Receive("+OK\r\n");
        Assert.Equal([Secret], Assert.Single(driver.Records()).Arguments);
    }

    [Fact]
    public void Non_secret_arguments_of_the_same_commands_are_kept()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("HELLO", "3", "AUTH", "alice", Secret, "SETNAME", "app") + Resp.Command("CONFIG", "SET", "maxmemory", "1gb"));
        driver.Receive("+OK\r\n+OK\r\n");
        var records = driver.Records();
        Assert.Equal(["3", "AUTH", "alice", RedisParserOptions.RedactedValue, "SETNAME", "app"], records[0].Arguments);
        Assert.Equal(["maxmemory", "1gb"], records[1].Arguments);
    }

    private static void AssertNoSecret(RedisRecord record)
    {
        Assert.DoesNotContain(Secret, record.ToString(), StringComparison.Ordinal);
        foreach (var property in typeof(RedisRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(record);
            var text = value is IEnumerable<string> list ? string.Join("|", list) : value?.ToString() ?? string.Empty;
            // Any 4-byte piece of the secret would show that it was decoded, even when cut.
            for (int i = 0; i + 4 <= Secret.Length; i++)
            {
                Assert.False(text.Contains(Secret.Substring(i, 4), StringComparison.Ordinal), $"{property.Name} holds part of the secret: {text}");
            }
        }
    }
}
