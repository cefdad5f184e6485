using System.Collections;
using System.Reflection;
using System.Text;

namespace Ebpf.ProtocolTracing.Tests.Security;

/// <summary>
/// Walks a record's public properties recursively (strings, bytes, header collections, nested records)
/// and reports every place a marker appears, as text or as raw bytes.
/// </summary>
internal static class SecretLeakScanner
{
    private const int MaxDepth = 8;

    public static List<string> Find(object record, string marker)
    {
        var found = new List<string>();
        Walk(record, record.GetType().Name, marker, Encoding.UTF8.GetBytes(marker), found, new HashSet<object>(ReferenceEqualityComparer.Instance), 0);
        if (record.ToString() is { } text && text.Contains(marker, StringComparison.Ordinal))
        {
            found.Add($"{record.GetType().Name}.ToString()");
        }

        return found;
    }

    private static void Walk(object? value, string path, string marker, byte[] markerBytes, List<string> found, HashSet<object> seen, int depth)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                if (text.Contains(marker, StringComparison.Ordinal))
                {
                    found.Add(path);
                }

                return;
            case byte[] bytes:
                CheckBytes(bytes, path, markerBytes, found);
                return;
            case ReadOnlyMemory<byte> memory:
                CheckBytes(memory.Span, path, markerBytes, found);
                return;
            case Memory<byte> memory:
                CheckBytes(memory.Span, path, markerBytes, found);
                return;
        }

        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is DateTimeOffset or DateTime or TimeSpan or decimal or Guid)
        {
            return;
        }

        if (depth > MaxDepth || (!type.IsValueType && !seen.Add(value)))
        {
            return;
        }

        if (value is IEnumerable sequence)
        {
            int index = 0;
            foreach (var item in sequence)
            {
                Walk(item, $"{path}[{index++}]", marker, markerBytes, found, seen, depth + 1);
                if (index > 10_000)
                {
                    break;
                }
            }
        }

        if (type.Namespace?.StartsWith("Ebpf.ProtocolTracing", StringComparison.Ordinal) != true
            && !(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)))
        {
            // Framework types (IPEndPoint, collections' internals): their text is all a sink would see.
            Walk(value.ToString(), path, marker, markerBytes, found, seen, depth + 1);
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.PropertyType.IsByRefLike)
            {
                continue;
            }

            Walk(property.GetValue(value), $"{path}.{property.Name}", marker, markerBytes, found, seen, depth + 1);
        }
    }

    private static void CheckBytes(ReadOnlySpan<byte> bytes, string path, byte[] markerBytes, List<string> found)
    {
        if (bytes.IndexOf(markerBytes) >= 0)
        {
            found.Add(path);
        }
    }
}
