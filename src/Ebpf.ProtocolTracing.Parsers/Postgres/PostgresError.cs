namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>The fields of an ErrorResponse or NoticeResponse that a record keeps.</summary>
/// <param name="Severity">The non-localized severity (<c>ERROR</c>, <c>FATAL</c>, <c>NOTICE</c>, …), or the localized one when the server sent no other.</param>
/// <param name="SqlState">The SQLSTATE code, e.g. <c>42P01</c>; empty when the server sent none.</param>
/// <param name="Message">The primary message.</param>
public sealed record PostgresError(string Severity, string SqlState, string Message)
{
    /// <summary>The optional detail message; <see langword="null"/> when absent.</summary>
    public string? Detail { get; init; }

    /// <summary>The optional hint; <see langword="null"/> when absent.</summary>
    public string? Hint { get; init; }

    /// <summary>E.g. <c>ERROR 42P01: relation "x" does not exist</c>.</summary>
    public override string ToString() => $"{Severity} {SqlState}: {Message}";
}
