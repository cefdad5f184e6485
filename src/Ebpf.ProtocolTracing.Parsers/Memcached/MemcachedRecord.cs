using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>One memcached command and its response.</summary>
/// <remarks>
/// A command sent with <c>noreply</c>, or a quiet meta/binary command whose success the server answered
/// with silence, has no <see cref="Status"/> of its own: <see cref="NoReply"/> is set, and for quiet
/// commands the outcome they imply (a miss, a stored value) is filled in when a later response shows the
/// silence. Values are never kept, only their sizes.
/// </remarks>
public sealed record MemcachedRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "memcached";

    /// <summary>The command in lowercase: <c>get</c>, <c>set</c>, <c>mg</c>, or a binary opcode's name such as <c>getkq</c>.</summary>
    public required string Command { get; init; }

    /// <summary>Which protocol the command used.</summary>
    public MemcachedDialect Dialect { get; init; }

    /// <summary>The keys the command names, at most <see cref="MemcachedParserOptions.MaxKeys"/>, each cut to <see cref="MemcachedParserOptions.MaxKeyLength"/> bytes.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>How many keys the command really named (<see cref="Keys"/> may hold fewer).</summary>
    public int KeyCount { get; init; }

    /// <summary>
    /// The response: a text reply word (<c>STORED</c>, <c>NOT_FOUND</c>, <c>END</c>, a number for incr/decr…), a
    /// meta code (<c>HD</c>, <c>VA</c>, <c>EN</c>, <c>NF</c>…), or a binary status name (<c>NoError</c>,
    /// <c>KeyNotFound</c>…); <see langword="null"/> without a response.
    /// </summary>
    public string? Status { get; init; }

    /// <summary>Values a retrieval returned (a get over several keys may hit some of them).</summary>
    public int Hits { get; init; }

    /// <summary>Bytes of the value the command sent (storage commands), as declared on the wire.</summary>
    public long RequestValueSize { get; init; }

    /// <summary>Bytes of all values the response carried, as declared on the wire.</summary>
    public long ResponseValueSize { get; init; }

    /// <summary>The opaque that ties a binary or meta response to its request, when the command set one.</summary>
    public string? Opaque { get; init; }

    /// <summary>Whether the command asked for no response on success (<c>noreply</c>, a meta <c>q</c> flag, a binary quiet opcode).</summary>
    public bool NoReply { get; init; }

    /// <summary>The text of an <c>ERROR</c>, <c>CLIENT_ERROR</c> or <c>SERVER_ERROR</c>, or of a binary error status's body.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Whether the response is an error (not a miss or a failed compare-and-swap, which are answers).</summary>
    public bool IsErrorResponse { get; init; }

    /// <inheritdoc />
    public override string Operation => Command;

    /// <inheritdoc />
    public override string? Resource => Keys.Count > 0 ? Keys[0] : null;

    /// <summary>The status; for a text retrieval, whose status is always <c>END</c>, <c>hit</c> or <c>miss</c>.</summary>
    public override string? Outcome =>
        Status == "END" && Dialect == MemcachedDialect.Text && Command is "get" or "gets" or "gat" or "gats"
            ? Hits > 0 ? "hit" : "miss"
            : Status;

    /// <inheritdoc />
    public override bool IsError => IsErrorResponse;

    /// <summary>A one-line summary, e.g. <c>memcached get user:1 -> END (1 hit, 32 B) in 0.1 ms Client</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(96);
        text.Append("memcached ").Append(Command);
        foreach (var key in Keys)
        {
            text.Append(' ').Append(key);
        }

        if (KeyCount > Keys.Count)
        {
            text.Append(CultureInfo.InvariantCulture, $" …(+{KeyCount - Keys.Count} keys)");
        }

        if (RequestValueSize > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" [{RequestValueSize} B]");
        }

        if (NoReply)
        {
            text.Append(" noreply");
        }

        text.Append(" -> ").Append(Status ?? "(no response)");
        if (Hits > 0 || ResponseValueSize > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({Hits} hit{(Hits == 1 ? "" : "s")}, {ResponseValueSize} B)");
        }

        if (ErrorMessage is not null)
        {
            text.Append(" '").Append(ErrorMessage).Append('\'');
        }

        if (Latency is { } latency)
        {
            text.Append(CultureInfo.InvariantCulture, $" in {latency.TotalMilliseconds:0.###} ms");
        }

        text.Append(' ').Append(Role);
        if (DataLost)
        {
            text.Append(" [data lost]");
        }

        return text.ToString();
    }
}
