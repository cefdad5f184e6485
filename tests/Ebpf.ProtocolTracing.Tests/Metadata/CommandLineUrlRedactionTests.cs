using Ebpf.ProtocolTracing.Metadata;

namespace Ebpf.ProtocolTracing.Tests.Metadata;

public sealed class CommandLineUrlRedactionTests
{
    [Theory]
    [InlineData("psql postgres://app:S3cret@db:5432/shop", "psql postgres://app:[REDACTED]@db:5432/shop")]
    [InlineData("redis-cli -u redis://default:S3cret@127.0.0.1:6379", "redis-cli -u redis://default:[REDACTED]@127.0.0.1:6379")]
    [InlineData("curl https://example.com/a@b:c", "curl https://example.com/a@b:c")]
    [InlineData("curl http://user@host/x", "curl http://user@host/x")]
    [InlineData("nginx -g daemon off;", "nginx -g daemon off;")]
    public void The_password_of_a_url_is_hidden_and_the_rest_kept(string commandLine, string expected)
    {
        Assert.Equal(expected, CommandLineRedactor.Redact(commandLine.Split(' ')));
    }
}
