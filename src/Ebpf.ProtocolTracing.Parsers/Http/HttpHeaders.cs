using System.Collections;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// The header fields of one HTTP message, in wire order, with case-insensitive lookup by name.
/// Immutable; repeated names are kept as separate entries.
/// </summary>
public sealed class HttpHeaders : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly KeyValuePair<string, string>[] _fields;

    /// <summary>No header fields (also used when a message's head was not captured).</summary>
    public static HttpHeaders Empty { get; } = new([]);

    /// <summary>Creates a header list from fields in wire order.</summary>
    /// <param name="fields">The fields; the array is taken over, not copied.</param>
    internal HttpHeaders(KeyValuePair<string, string>[] fields) => _fields = fields;

    /// <summary>Creates a header list from fields in wire order.</summary>
    /// <param name="fields">Name/value pairs; names compare case-insensitively.</param>
    public static HttpHeaders Create(IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return new HttpHeaders([.. fields]);
    }

    /// <inheritdoc />
    public int Count => _fields.Length;

    /// <inheritdoc />
    public KeyValuePair<string, string> this[int index] => _fields[index];

    /// <summary>The value of the first field named <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <param name="name">Field name, compared case-insensitively.</param>
    public string? this[string name] => TryGetValue(name, out var value) ? value : null;

    /// <summary>Finds the first field named <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">Field name.</param>
    /// <param name="value">Its value when found.</param>
    /// <returns>Whether a field of that name exists.</returns>
    public bool TryGetValue(string name, out string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var field in _fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                value = field.Value;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>Whether a field named <paramref name="name"/> exists (case-insensitive).</summary>
    /// <param name="name">Field name.</param>
    public bool Contains(string name) => TryGetValue(name, out _);

    /// <summary>Enumerates the fields in wire order without allocating.</summary>
    public ArraySegment<KeyValuePair<string, string>>.Enumerator GetEnumerator() => new ArraySegment<KeyValuePair<string, string>>(_fields).GetEnumerator();

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _fields.GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join("\r\n", _fields.Select(f => $"{f.Key}: {f.Value}"));
}
