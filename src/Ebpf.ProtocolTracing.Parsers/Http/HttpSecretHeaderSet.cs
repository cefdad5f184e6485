using System.Collections.Frozen;
using System.Text;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// The header names whose values are redacted, frozen once per parser so the per-field lookup on the
/// record-building path is one case-insensitive hash probe.
/// </summary>
internal sealed class HttpSecretHeaderSet
{
    private readonly FrozenSet<string> _names;

    private HttpSecretHeaderSet(FrozenSet<string> names) => _names = names;

    /// <summary>
    /// The set to redact with, or <see langword="null"/> when nothing is to be redacted (redaction off, or
    /// every name opted out).
    /// </summary>
    /// <param name="redactSecrets">The parser's master switch.</param>
    /// <param name="names">The configured names.</param>
    public static HttpSecretHeaderSet? Create(bool redactSecrets, IEnumerable<string> names)
    {
        if (!redactSecrets)
        {
            return null;
        }

        var frozen = names.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        return frozen.Count == 0 ? null : new HttpSecretHeaderSet(frozen);
    }

    /// <summary>Whether the value of the field named <paramref name="name"/> must be hidden.</summary>
    /// <param name="name">A field name as it appeared on the wire (any case).</param>
    public bool Contains(string name) => _names.Contains(name);

    /// <summary>
    /// Throws when a configured name could never match a header field (empty, or not an RFC 9110 token,
    /// e.g. with a colon or a space), because such a typo would silently leave a secret unredacted.
    /// </summary>
    /// <param name="names">The configured names.</param>
    /// <param name="optionName">The option's name, for the message.</param>
    /// <exception cref="ArgumentException">A name is not a valid field name.</exception>
    public static void Validate(IEnumerable<string> names, string optionName)
    {
        ArgumentNullException.ThrowIfNull(names, optionName);
        foreach (var name in names)
        {
            if (string.IsNullOrEmpty(name) || !Ascii.IsValid(name) || !HttpCharacters.IsToken(Encoding.ASCII.GetBytes(name)))
            {
                throw new ArgumentException(
                    $"'{name}' in {optionName} is not a header field name (a token: letters, digits and !#$%&'*+-.^_`|~, no spaces or colon); fix or remove it.",
                    optionName);
            }
        }
    }
}
