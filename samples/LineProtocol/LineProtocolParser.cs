using Ebpf.ProtocolTracing;
using Ebpf.ProtocolTracing.Parsing;

namespace Samples.LineProtocol;

/// <summary>
/// A custom parser for a small in-house protocol of text lines: the client sends <c>GET key\n</c>,
/// the server answers <c>VALUE text\n</c>, <c>NOT_FOUND\n</c> or <c>ERROR text\n</c>, in order.
/// </summary>
/// <remarks>
/// Register it with <c>services.AddProtocolTracing(o =&gt; o.ParserPorts[7070] = "line").AddParser&lt;LineProtocolParser&gt;()</c>:
/// the kernel has no cheap guess for this protocol, so its port is configured as always captured.
/// </remarks>
public sealed class LineProtocolParser : IProtocolParser
{
    /// <summary>The protocol's name, used in <c>ParserPorts</c> and <see cref="ProtocolRecord.Protocol"/>.</summary>
    public const string ProtocolName = "line";

    /// <summary>Longest line accepted; a longer one is not this protocol.</summary>
    public const int MaxLineLength = 1024;

    /// <summary>Longest value or error text kept in a record, in bytes.</summary>
    public const int MaxTextLength = 256;

    /// <summary>Requests waiting for a reply per connection; beyond this the oldest is emitted unanswered.</summary>
    public const int MaxPendingRequests = 256;

    /// <inheritdoc />
    public string Name => ProtocolName;

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.None;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => LineSyntax.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new LineConnectionParser(context);
    }
}
