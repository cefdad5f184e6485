using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Dns;

/// <summary>
/// DNS over UDP and TCP (https://www.rfc-editor.org/rfc/rfc1035, EDNS https://www.rfc-editor.org/rfc/rfc6891):
/// decodes queries and responses (every common record type, name compression with loop protection),
/// pairs them by id, peer and question, and emits one <see cref="DnsRecord"/> per query.
/// </summary>
/// <remarks>
/// Over UDP each datagram is one message and records take their remote endpoint from the datagram's
/// peer (<see cref="IParseContext.CurrentPeer"/>), so one unconnected resolver socket yields records
/// for every server it asked. Over TCP messages carry a 2-byte length prefix; after a gap the parser
/// resyncs at the next plausible prefix.
/// </remarks>
public sealed class DnsParser : IProtocolParser
{
    private readonly DnsParserOptions _options;

    /// <summary>Creates the parser with default options.</summary>
    public DnsParser()
        : this(new DnsParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits and privacy settings; validated here and not read again after construction.</param>
    public DnsParser(DnsParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc />
    public string Name => "dns";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.Dns;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => DnsInference.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new DnsConnectionParser(context, _options);
    }
}
