using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Nats;

/// <summary>
/// One NATS operation seen on a client connection: a publish (with its <c>+OK</c>/<c>-ERR</c> in verbose
/// mode), a message delivered to a subscriber, a subscription, a <c>PING</c> with its <c>PONG</c>, the
/// server's <c>INFO</c>, the client's <c>CONNECT</c>, or a <c>-ERR</c> of its own.
/// </summary>
/// <remarks>
/// Outside verbose mode (the default of every client library) the server does not acknowledge a
/// publish or a subscription, so those records have no <see cref="Reply"/> and no latency. A
/// request/reply is two publishes and two deliveries, each a record; the request's <see cref="ReplyTo"/>
/// inbox is the reply's <see cref="Subject"/>. <see cref="ProtocolRecord.Role"/> is the traced process's
/// side of the NATS connection: <see cref="ConnectionRole.Client"/> for the application,
/// <see cref="ConnectionRole.Server"/> for the NATS server, whichever side spoke.
/// </remarks>
public sealed record NatsRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "nats";

    /// <summary>What the record is about.</summary>
    public required NatsOperation Kind { get; init; }

    /// <summary>The subject published to, delivered on or subscribed to; for an <c>UNSUB</c>, the subject of its subscription when it was seen.</summary>
    public string? Subject { get; init; }

    /// <summary>The reply subject (inbox) of a publish or a delivery, when it has one.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>The subscription id of a <c>SUB</c>, <c>UNSUB</c> or delivery.</summary>
    public string? Sid { get; init; }

    /// <summary>The queue group of a <c>SUB</c>, when it has one.</summary>
    public string? QueueGroup { get; init; }

    /// <summary>The message count after which an <c>UNSUB</c> takes effect, when given.</summary>
    public long? MaxMessages { get; init; }

    /// <summary>Bytes of the message payload (after the headers), as declared on the wire; 0 without a message.</summary>
    public long PayloadSize { get; init; }

    /// <summary>Bytes of the header block of an <c>HPUB</c>/<c>HMSG</c>; 0 without headers.</summary>
    public long HeaderSize { get; init; }

    /// <summary>
    /// The start of the payload, at most <see cref="NatsParserOptions.MaxPayloadBytes"/> bytes, non-printable
    /// bytes escaped as <c>\xHH</c>; <see langword="null"/> without a message or when its first bytes were not captured.
    /// </summary>
    public string? Payload { get; init; }

    /// <summary>The headers of an <c>HPUB</c>/<c>HMSG</c> (from the kept part of the header block), in wire order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The status of an <c>HMSG</c> header block's first line (e.g. <c>503</c> for "no responders"), when it has one.</summary>
    public string? HeaderStatus { get; init; }

    /// <summary>The answer: <c>+OK</c>, <c>-ERR …</c> or <c>PONG</c>; <see langword="null"/> when none is expected or none came.</summary>
    public string? Reply { get; init; }

    /// <summary>The server's error text (without quotes) of a <c>-ERR</c>, whether it answered this operation or stood alone.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The client's name from <c>CONNECT</c>, or the server's name from <c>INFO</c>.</summary>
    public string? Name { get; init; }

    /// <summary>The client library's language from <c>CONNECT</c>.</summary>
    public string? ClientLanguage { get; init; }

    /// <summary>The client library's version from <c>CONNECT</c>, or the server's version from <c>INFO</c>.</summary>
    public string? Version { get; init; }

    /// <summary>Whether the client asked for verbose mode (<c>+OK</c> after every operation) in <c>CONNECT</c>.</summary>
    public bool? Verbose { get; init; }

    /// <summary>The server id from <c>INFO</c>.</summary>
    public string? ServerId { get; init; }

    /// <summary>The largest payload the server accepts, from <c>INFO</c>.</summary>
    public long? MaxPayload { get; init; }

    /// <summary>
    /// The credentials a <c>CONNECT</c> carried, as <c>name=value</c> (<c>user</c>, <c>pass</c>, <c>auth_token</c>,
    /// <c>jwt</c>, <c>sig</c>, <c>nkey</c>); the values are <see cref="NatsParserOptions.RedactedValue"/> (the public
    /// <c>nkey</c> excepted) unless redaction is turned off.
    /// </summary>
    public IReadOnlyList<string> Credentials { get; init; } = [];

    /// <inheritdoc />
    public override string Operation => Kind switch
    {
        NatsOperation.Info => "INFO",
        NatsOperation.Connect => "CONNECT",
        NatsOperation.Pub => "PUB",
        NatsOperation.HPub => "HPUB",
        NatsOperation.Sub => "SUB",
        NatsOperation.Unsub => "UNSUB",
        NatsOperation.Msg => "MSG",
        NatsOperation.HMsg => "HMSG",
        NatsOperation.Ping => "PING",
        NatsOperation.Pong => "PONG",
        NatsOperation.Ok => "+OK",
        _ => "-ERR",
    };

    /// <inheritdoc />
    public override string? Resource => Subject ?? Name ?? ServerId;

    /// <inheritdoc />
    public override string? Outcome =>
        ErrorMessage is not null ? "-ERR"
        : Reply is not null ? Reply
        : HeaderStatus;

    /// <inheritdoc />
    public override bool IsError => ErrorMessage is not null;

    /// <summary>A one-line summary, e.g. <c>nats PUB orders _INBOX.x 12 B -> +OK in 0.2 ms Client</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        text.Append("nats ").Append(Operation);
        if (Subject is not null)
        {
            text.Append(' ').Append(Subject);
        }

        if (QueueGroup is not null)
        {
            text.Append(" queue=").Append(QueueGroup);
        }

        if (Sid is not null)
        {
            text.Append(" sid=").Append(Sid);
        }

        if (ReplyTo is not null)
        {
            text.Append(" reply=").Append(ReplyTo);
        }

        if (Kind is NatsOperation.Pub or NatsOperation.HPub or NatsOperation.Msg or NatsOperation.HMsg)
        {
            text.Append(CultureInfo.InvariantCulture, $" {PayloadSize} B");
            if (HeaderSize > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" (+{HeaderSize} B headers)");
            }
        }

        if (Name is not null)
        {
            text.Append(" name=").Append(Name);
        }

        if (Version is not null)
        {
            text.Append(" version=").Append(Version);
        }

        foreach (var credential in Credentials)
        {
            text.Append(' ').Append(credential);
        }

        if (Reply is not null)
        {
            text.Append(" -> ").Append(Reply);
        }
        else if (ErrorMessage is not null)
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
