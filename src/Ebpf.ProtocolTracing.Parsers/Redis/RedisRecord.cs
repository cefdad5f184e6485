using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>
/// One Redis exchange: a command and its reply, or a message the server pushed on its own (pub/sub
/// <c>message</c>/<c>pmessage</c>, RESP3 pushes such as client-side caching invalidations).
/// </summary>
/// <remarks>
/// A command whose reply was not seen (the connection closed, <c>CLIENT REPLY OFF/SKIP</c>) has a
/// <see langword="null"/> <see cref="Reply"/>. A reply whose command was not captured (tracing started
/// mid-connection, or its bytes were lost) has a <see langword="null"/> <see cref="Command"/> and
/// <see cref="ProtocolRecord.DataLost"/> set.
/// </remarks>
public sealed record RedisRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "redis";

    /// <summary>
    /// The command name upper-cased, with its subcommand for container commands (e.g. <c>GET</c>,
    /// <c>CONFIG SET</c>, <c>CLIENT SETNAME</c>); for a push, its kind (e.g. <c>MESSAGE</c>).
    /// <see langword="null"/> when the command was not captured.
    /// </summary>
    public string? Command { get; init; }

    /// <summary>
    /// The arguments after the command name (and after the subcommand when there is one), at most
    /// <see cref="RedisParserOptions.MaxArguments"/>, each cut to <see cref="RedisParserOptions.MaxArgumentLength"/>
    /// bytes; non-printable bytes escaped as <c>\xHH</c>; secrets replaced by <see cref="RedisParserOptions.RedactedValue"/>.
    /// For a push: its fields after the kind (channel, pattern).
    /// </summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>How many arguments the command really had (<see cref="Arguments"/> may hold fewer).</summary>
    public long ArgumentCount { get; init; }

    /// <summary>
    /// The reply, compactly: <c>"OK"</c>, <c>"value"</c> (cut, with its real size), <c>(integer) 5</c>,
    /// <c>(nil)</c>, <c>[3 items]</c>, <c>{2 pairs}</c>, the error text; <see langword="null"/> without a reply.
    /// For a push: its payload.
    /// </summary>
    public string? Reply { get; init; }

    /// <summary>Whether the reply is an error (simple or bulk error).</summary>
    public bool IsErrorReply { get; init; }

    /// <summary>How many replies the command got: 1, or one per channel for (un)subscribe commands; 0 without a reply.</summary>
    public int ReplyCount { get; init; }

    /// <summary>Bytes the command took on the wire, also counting bytes not kept or not captured.</summary>
    public long RequestSize { get; init; }

    /// <summary>Bytes the reply took on the wire (all replies of the command), also counting bytes not kept or not captured.</summary>
    public long ReplySize { get; init; }

    /// <summary>Whether this record is a message the server pushed without a command.</summary>
    public bool IsPush { get; init; }

    /// <summary>The first key (or channel) the command names, when it has one; for a push, its channel.</summary>
    public string? Key { get; init; }

    /// <inheritdoc />
    public override string Operation => Command ?? "?";

    /// <inheritdoc />
    public override string? Resource => Key;

    /// <inheritdoc />
    public override string? Outcome =>
        Reply is null ? null
        : IsErrorReply ? ErrorCode(Reply)
        : IsPush ? "PUSH"
        : Reply == RespText.Nil ? "nil"
        : "OK";

    /// <inheritdoc />
    public override bool IsError => IsErrorReply;

    /// <summary>A one-line summary, e.g. <c>redis SET user:1 "x" -> "OK" in 0.2 ms Client</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        text.Append("redis ").Append(Command ?? "?");
        foreach (var argument in Arguments)
        {
            text.Append(' ').Append(argument);
        }

        if (ArgumentCount > Arguments.Count)
        {
            text.Append(CultureInfo.InvariantCulture, $" …(+{ArgumentCount - Arguments.Count} args)");
        }

        text.Append(IsPush ? " <- " : " -> ").Append(Reply ?? "(no reply)");
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

    private static string ErrorCode(string reply)
    {
        int space = reply.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 ? reply[..space] : reply;
    }
}
