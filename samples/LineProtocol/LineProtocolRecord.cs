using Ebpf.ProtocolTracing;

namespace Samples.LineProtocol;

/// <summary>One line-protocol exchange: a <c>GET key</c> request and its reply line.</summary>
public sealed record LineProtocolRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => LineProtocolParser.ProtocolName;

    /// <inheritdoc />
    public override string Operation => Command;

    /// <inheritdoc />
    public override string? Resource => Key;

    /// <inheritdoc />
    public override string? Outcome => Reply switch
    {
        LineReplyKind.Value => "VALUE",
        LineReplyKind.NotFound => "NOT_FOUND",
        LineReplyKind.Error => "ERROR",
        _ => null,
    };

    /// <inheritdoc />
    public override bool IsError => Reply == LineReplyKind.Error;

    /// <summary>The request's command word, e.g. <c>GET</c>.</summary>
    public required string Command { get; init; }

    /// <summary>The requested key.</summary>
    public required string Key { get; init; }

    /// <summary>How the server answered.</summary>
    public LineReplyKind Reply { get; init; }

    /// <summary>The value (for <see cref="LineReplyKind.Value"/>) or message (for <see cref="LineReplyKind.Error"/>), cut to <see cref="LineProtocolParser.MaxTextLength"/> bytes of UTF-8.</summary>
    public string? Text { get; init; }
}
