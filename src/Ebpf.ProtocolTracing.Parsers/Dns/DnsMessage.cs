namespace Ebpf.ProtocolTracing.Dns;

/// <summary>One decoded DNS message: what a record needs of a query or a response.</summary>
internal sealed class DnsMessage
{
    public required DnsHeader Header { get; init; }

    /// <summary>The first question's name; empty when the message has none.</summary>
    public string QuestionName { get; init; } = string.Empty;

    public ushort QuestionType { get; init; }

    public ushort QuestionClass { get; init; }

    public IReadOnlyList<DnsResourceRecord> Answers { get; init; } = [];

    public IReadOnlyList<DnsResourceRecord> Authority { get; init; } = [];

    public IReadOnlyList<DnsResourceRecord> Additional { get; init; } = [];

    /// <summary>EDNS: the requestor's UDP payload size; <see langword="null"/> without an OPT record.</summary>
    public int? EdnsUdpPayloadSize { get; init; }

    /// <summary>EDNS: the DNSSEC OK bit.</summary>
    public bool DnssecOk { get; init; }

    /// <summary>The response code with the EDNS extension's upper 8 bits (RFC 6891 section 6.1.3).</summary>
    public int ResponseCode { get; init; }

    /// <summary>The message ended inside a record (cut by the capture limit, or malformed there).</summary>
    public bool Incomplete { get; init; }
}
