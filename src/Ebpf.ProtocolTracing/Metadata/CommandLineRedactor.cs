using System.Text;

namespace Ebpf.ProtocolTracing.Metadata;

/// <summary>
/// Hides credentials that programs take as arguments before a command line reaches a record:
/// values of options whose name speaks of a secret (<c>--password=x</c>, <c>--api-token x</c>,
/// <c>DB_PASSWORD=x</c>), redis-cli's <c>-a x</c>, the mysql family's attached <c>-px</c> and the
/// password of a URL (<c>postgres://user:x@host/db</c>).
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
                AppendWithoutUrlPassword(builder, argument);
            }
        }

        return builder.ToString();
    }

    // scheme://user:password@host…: the user stays, the password goes.
    private static void AppendWithoutUrlPassword(StringBuilder builder, string argument)
    {
        var scheme = argument.IndexOf("://", StringComparison.Ordinal);
        var authority = scheme + 3;
        var at = scheme < 0 ? -1 : argument.IndexOf('@', authority);
        var slash = scheme < 0 ? -1 : argument.IndexOf('/', authority);
        var colon = at < 0 ? -1 : argument.IndexOf(':', authority, at - authority);
        if (colon < 0 || (slash >= 0 && slash < at))
        {
            builder.Append(argument);
            return;
        }

        builder.Append(argument.AsSpan(0, colon + 1)).Append(RedactedValue).Append(argument.AsSpan(at));
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
