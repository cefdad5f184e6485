using System.Globalization;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>A Go release's major and minor version (go1.19.8 → 1.19).</summary>
/// <param name="Major">1 for every Go release so far.</param>
/// <param name="Minor">The release (19 for go1.19.8).</param>
internal readonly record struct GoVersion(int Major, int Minor) : IComparable<GoVersion>
{
    /// <summary>Parses the first <c>goM.N</c> in a build version string ("go1.19.8", "devel go1.23-abc…", "go1.21rc2").</summary>
    public static bool TryParse(string text, out GoVersion version)
    {
        version = default;
        var start = text.IndexOf("go", StringComparison.Ordinal);
        while (start >= 0)
        {
            var at = start + 2;
            if (TryReadNumber(text, ref at, out var major) && at < text.Length && text[at] == '.')
            {
                at++;
                if (TryReadNumber(text, ref at, out var minor))
                {
                    version = new GoVersion(major, minor);
                    return true;
                }
            }

            start = text.IndexOf("go", start + 2, StringComparison.Ordinal);
        }

        return false;
    }

    /// <inheritdoc />
    public int CompareTo(GoVersion other)
        => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");

    private static bool TryReadNumber(string text, ref int at, out int value)
    {
        var begin = at;
        value = 0;
        while (at < text.Length && char.IsAsciiDigit(text[at]) && at - begin < 6)
        {
            value = (value * 10) + (text[at] - '0');
            at++;
        }

        return at > begin;
    }
}
