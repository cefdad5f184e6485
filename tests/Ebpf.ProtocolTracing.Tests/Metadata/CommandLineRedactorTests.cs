using Ebpf.ProtocolTracing.Metadata;

namespace Ebpf.ProtocolTracing.Tests.Metadata;

public sealed class CommandLineRedactorTests
{
    private const string Hidden = CommandLineRedactor.RedactedValue;

    [Theory]
    [InlineData(new[] { "redis-cli", "-h", "127.0.0.1", "-a", "s3cret", "GET", "k" }, "redis-cli -h 127.0.0.1 -a " + Hidden + " GET k")]
    [InlineData(new[] { "mysql", "-uroot", "-ps3cret", "-P", "3306" }, "mysql -uroot -p" + Hidden + " -P 3306")]
    [InlineData(new[] { "app", "--password=s3cret", "--port=80" }, "app --password=" + Hidden + " --port=80")]
    [InlineData(new[] { "app", "--db-password", "s3cret", "--verbose" }, "app --db-password " + Hidden + " --verbose")]
    [InlineData(new[] { "app", "--api-token", "s3cret" }, "app --api-token " + Hidden)]
    [InlineData(new[] { "env", "DB_PASSWORD=s3cret", "AWS_SECRET_ACCESS_KEY=s3cret", "run" }, "env DB_PASSWORD=" + Hidden + " AWS_SECRET_ACCESS_KEY=" + Hidden + " run")]
    [InlineData(new[] { "nginx", "-c", "/etc/nginx.conf", "-p", "/tmp" }, "nginx -c /etc/nginx.conf -p /tmp")]
    [InlineData(new[] { "curl", "-s", "http://127.0.0.1:8080/a?b=c" }, "curl -s http://127.0.0.1:8080/a?b=c")]
    public void Secret_values_are_hidden_and_the_rest_kept(string[] arguments, string expected)
    {
        var redacted = CommandLineRedactor.Redact(arguments);

        Assert.Equal(expected, redacted);
        Assert.DoesNotContain("s3cret", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_option_last_on_the_line_hides_nothing_else()
    {
        Assert.Equal("app --password", CommandLineRedactor.Redact(["app", "--password"]));
        Assert.Equal(string.Empty, CommandLineRedactor.Redact([]));
    }
}
