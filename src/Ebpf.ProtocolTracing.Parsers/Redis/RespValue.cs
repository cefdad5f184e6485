using System.Globalization;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>What the parser keeps of one RESP value: its type, short text and sizes, never its whole payload.</summary>
internal sealed class RespElement
{
    public RespType Type { get; init; }

    /// <summary>Escaped text of a scalar (cut to the limit, without quotes); <see langword="null"/> for aggregates and nulls.</summary>
    public string? Text { get; init; }

    /// <summary>A bulk value's declared length, or an aggregate's element count (pairs for maps).</summary>
    public long Size { get; init; }

    public bool IsNull { get; init; }

    /// <summary>Whether <see cref="Text"/> holds fewer bytes than the value (limit, or a gap absorbed in the payload).</summary>
    public bool Truncated { get; init; }

    /// <summary>Whether the value was a secret and never decoded.</summary>
    public bool Redacted { get; init; }

    /// <summary>The element as a command argument: plain text, cut with its real size.</summary>
    /// <param name="maxLength">Most characters shown (the command name's element may hold more).</param>
    public string AsArgument(int maxLength = int.MaxValue)
    {
        if (Redacted)
        {
            return RedisParserOptions.RedactedValue;
        }

        if (Text is null)
        {
            return Render();
        }

        bool cut = Text.Length > maxLength;
        return Truncated || cut
            ? string.Create(CultureInfo.InvariantCulture, $"{(cut ? Text[..maxLength] : Text)}…({Size} bytes)")
            : Text;
    }

    /// <summary>The element as a reply, compactly: <c>"OK"</c>, <c>(integer) 5</c>, <c>(nil)</c>, <c>[3 items]</c>, the error text.</summary>
    public string Render()
    {
        if (Redacted)
        {
            return RedisParserOptions.RedactedValue;
        }

        if (IsNull)
        {
            return RespText.Nil;
        }

        return Type switch
        {
            RespType.SimpleString => $"\"{Text}\"",
            RespType.SimpleError or RespType.BulkError => Truncated ? $"{Text}…" : Text ?? string.Empty,
            RespType.Integer => $"(integer) {Text}",
            RespType.BulkString or RespType.VerbatimString or RespType.Inline => RespText.Quoted(Text ?? string.Empty, Size, Truncated),
            RespType.Boolean => Text == "t" ? "(true)" : "(false)",
            RespType.Double => $"(double) {Text}",
            RespType.BigNumber => $"(big number) {Text}",
            RespType.Array => RespText.Items(Size),
            RespType.Set => "(set) " + RespText.Items(Size),
            RespType.Push => "(push) " + RespText.Items(Size),
            RespType.Map => Size == 1 ? "{1 pair}" : string.Create(CultureInfo.InvariantCulture, $"{{{Size} pairs}}"),
            _ => Text ?? string.Empty,
        };
    }
}

/// <summary>A complete top-level value: the value itself and the first elements of an aggregate.</summary>
internal sealed class RespValue
{
    public required RespElement Value { get; init; }

    /// <summary>The first elements of an aggregate (for a command: its name and arguments).</summary>
    public required IReadOnlyList<RespElement> Elements { get; init; }

    /// <summary>Stream position of the value's first byte (of its attribute, when it had one).</summary>
    public long Start { get; init; }

    /// <summary>Stream position right after the value.</summary>
    public long End { get; init; }

    /// <summary>Whether bytes inside the value were not captured (only payload bytes can be; the value is still framed).</summary>
    public bool Lossy { get; init; }

    public RespType Type => Value.Type;

    /// <summary>The text of element <paramref name="index"/> when it is a string, else <see langword="null"/>.</summary>
    public string? TextAt(int index) =>
        index < Elements.Count && Elements[index] is { Text: { } text, Redacted: false, IsNull: false } element
            && element.Type is RespType.BulkString or RespType.SimpleString or RespType.VerbatimString or RespType.Inline
            ? text
            : null;
}
