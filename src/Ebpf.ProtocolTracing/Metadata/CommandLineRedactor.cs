using System.Text;

namespace Ebpf.ProtocolTracing.Metadata;

/// <summary>
/// Hides credentials that programs take as arguments before a command line reaches a record:
/// values of options whose name speaks of a secret (<c>--password=x</c>, <c>--api-token x</c>,
/// <c>DB_PASSWORD=x</c>), redis-cli's <c>-a x</c> and the mysql family's attached <c>-px</c>.
/// </summary>
/// <remarks>
/// It errs on the side of hiding: a port written as <c>-p5432</c> is hidden too. Arguments are
/// joined by single spaces, as <see cref="ProcessInfo.CommandLine"/> documents.
/// </remarks>
internal static class CommandLineRedactor
{
    public const string RedactedValue = "[REDACTED]";

    private static readonly string[] SecretWords =
        ["password", "passwd", "pass", "pwd", "secret", "token", "apikey", "api-key", "api_key", "auth", "credential", "private-key", "privatekey"];

    /// <summary>Joins <paramref name="arguments"/> with spaces, each secret value replaced by <see cref="RedactedValue"/>.</summary>
    public static string Redact(IReadOnlyList<string> arguments)
    {
        var builder = new StringBuilder();
        var hideNext = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (i > 0)
                builder.Append(' ');
            var argument = arguments[i];
            if (hideNext)
            {
                builder.Append(RedactedValue);
                hideNext = false;
                continue;
            }

            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && NamesASecret(argument.AsSpan(0, equals)))
            {
                builder.Append(argument.AsSpan(0, equals + 1)).Append(RedactedValue);
            }
            else if (argument is "-a" || (argument.StartsWith("--", StringComparison.Ordinal) && equals < 0 && NamesASecret(argument)))
            {
                builder.Append(argument);
                hideNext = true;
            }
            else if (argument.Length > 2 && argument.StartsWith("-p", StringComparison.Ordinal) && argument[2] != '-')
            {
                builder.Append("-p").Append(RedactedValue);
            }
            else
            {
                builder.Append(argument);
            }
        }

        return builder.ToString();
    }

    private static bool NamesASecret(ReadOnlySpan<char> name)
    {
        name = name.TrimStart('-');
        foreach (var word in SecretWords)
        {
            if (name.Contains(word, StringComparison.OrdinalIgnoreCase))
                return true;
        }

        return false;
    }
}
