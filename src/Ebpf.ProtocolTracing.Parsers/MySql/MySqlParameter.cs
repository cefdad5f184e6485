namespace Ebpf.ProtocolTracing.MySql;

/// <summary>One bound parameter of a <c>COM_STMT_EXECUTE</c>, decoded from the binary protocol.</summary>
/// <param name="Type">The wire type the client bound it with (<see cref="MySqlFieldType.Null"/> when no type was sent and none was remembered).</param>
/// <param name="Value">
/// The value in invariant text form (numbers, <c>yyyy-MM-dd HH:mm:ss.ffffff</c> dates and times, strings as
/// UTF-8); <see langword="null"/> for SQL NULL or when the value was not captured.
/// </param>
/// <param name="IsNull">Whether the parameter was bound to SQL NULL (its bit in the null bitmap is set).</param>
/// <param name="Length">Length of the value on the wire in bytes (for strings and blobs the full length, also when <paramref name="Value"/> is cut).</param>
/// <param name="Truncated">Whether <paramref name="Value"/> holds less than the whole value (see <see cref="MySqlParserOptions.MaxParameterValueLength"/>).</param>
public sealed record MySqlParameter(MySqlFieldType Type, string? Value, bool IsNull, long Length, bool Truncated)
{
    /// <summary>The value as SQL-like text, e.g. <c>42</c>, <c>'abc'</c>, <c>NULL</c>; <c>?</c> when not captured.</summary>
    public override string ToString() => IsNull ? "NULL"
        : Value is null ? "?"
        : IsNumeric(Type) ? Value
        : "'" + Value + (Truncated ? "…'" : "'");

    private static bool IsNumeric(MySqlFieldType type) => type is MySqlFieldType.Tiny or MySqlFieldType.Short or MySqlFieldType.Int24
        or MySqlFieldType.Long or MySqlFieldType.LongLong or MySqlFieldType.Float or MySqlFieldType.Double or MySqlFieldType.Year;
}
