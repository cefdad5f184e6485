using System.Text;

namespace Ebpf.ProtocolTracing.MySql;

/// <summary>Turns statement bytes into the text a record keeps: cut to the limit, password literals redacted.</summary>
internal static class MySqlStatementText
{
    /// <summary>Decodes <paramref name="bytes"/> (UTF-8) up to <see cref="MySqlParserOptions.MaxStatementLength"/>.</summary>
    /// <param name="bytes">The statement bytes that were captured.</param>
    /// <param name="fullLength">The statement's length on the wire (more than <paramref name="bytes"/> when the packet was cut).</param>
    /// <param name="options">Limits and redaction.</param>
    /// <param name="truncated">Whether the text is shorter than the statement.</param>
    public static string Read(ReadOnlySpan<byte> bytes, long fullLength, MySqlParserOptions options, out bool truncated)
    {
        int kept = Math.Min(bytes.Length, options.MaxStatementLength);
        truncated = kept < fullLength;
        var text = Encoding.UTF8.GetString(bytes[..kept]);
        return options.RedactSecrets && SetsPassword(text) ? RedactLiterals(text) : text;
    }

    /// <summary>Statements that may carry a password in a literal: CREATE/ALTER USER … IDENTIFIED BY, SET PASSWORD, GRANT … IDENTIFIED.</summary>
    private static bool SetsPassword(string text) =>
        text.Contains("IDENTIFIED", StringComparison.OrdinalIgnoreCase) || text.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase);

    /// <summary>Replaces every quoted string literal with a redacted one; an unterminated literal (a cut statement) is redacted to the end.</summary>
    private static string RedactLiterals(string text)
    {
        var result = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is not ('\'' or '"'))
            {
                result.Append(c);
                i++;
                continue;
            }

            int end = i + 1;
            while (end < text.Length)
            {
                if (text[end] == '\\')
                {
                    end += 2;
                    continue;
                }

                if (text[end] == c)
                {
                    if (end + 1 < text.Length && text[end + 1] == c)
                    {
                        end += 2; // a doubled quote inside the literal
                        continue;
                    }

                    break;
                }

                end++;
            }

            result.Append(c).Append(MySqlParserOptions.RedactedValue).Append(c);
            i = end + 1;
        }

        return result.ToString();
    }
}
