namespace Ebpf.ProtocolTracing.Dns;

/// <summary>
/// One DNS exchange: a query and its response, matched by message id, peer and question. A query whose
/// response did not come within <see cref="DnsParserOptions.QueryTimeout"/> (or before the socket
/// closed) is a record without a response: <see cref="ResponseCode"/> is <see langword="null"/>.
/// </summary>
public sealed record DnsRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "dns";

    /// <summary>The message id that pairs the query with its response.</summary>
    public ushort Id { get; init; }

    /// <summary>The header's opcode (0 QUERY, 4 NOTIFY, 5 UPDATE, ...).</summary>
    public int Opcode { get; init; }

    /// <summary>The (first) question's name, without the trailing dot, in presentation format (odd bytes as <c>\DDD</c>).</summary>
    public required string QueryName { get; init; }

    /// <summary>The question's type number (<see cref="DnsRecordTypes"/>).</summary>
    public ushort QueryType { get; init; }

    /// <summary>The question's class (1 for IN).</summary>
    public ushort QueryClass { get; init; }

    /// <summary>The question type's mnemonic, e.g. <c>AAAA</c>.</summary>
    public string QueryTypeName => DnsNames.TypeName(QueryType);

    /// <summary>Whether the query asked for recursion (RD).</summary>
    public bool RecursionDesired { get; init; }

    /// <summary>The response code including the EDNS extension; <see langword="null"/> without a response.</summary>
    public int? ResponseCode { get; init; }

    /// <summary>The response code's mnemonic, e.g. <c>NXDOMAIN</c>; <see langword="null"/> without a response.</summary>
    public string? ResponseCodeName => ResponseCode is { } code ? DnsNames.ResponseCodeName(code) : null;

    /// <summary>The answer section, at most <see cref="DnsParserOptions.MaxRecordsPerSection"/> records.</summary>
    public IReadOnlyList<DnsResourceRecord> Answers { get; init; } = [];

    /// <summary>The authority section, at most <see cref="DnsParserOptions.MaxRecordsPerSection"/> records.</summary>
    public IReadOnlyList<DnsResourceRecord> Authority { get; init; } = [];

    /// <summary>The additional section without the OPT pseudo-record, at most <see cref="DnsParserOptions.MaxRecordsPerSection"/> records.</summary>
    public IReadOnlyList<DnsResourceRecord> Additional { get; init; } = [];

    /// <summary>How many answers the response header announced (<see cref="Answers"/> may hold fewer).</summary>
    public int AnswerCount { get; init; }

    /// <summary>How many authority records the response header announced.</summary>
    public int AuthorityCount { get; init; }

    /// <summary>How many additional records the response header announced (OPT included).</summary>
    public int AdditionalCount { get; init; }

    /// <summary>The response is authoritative (AA).</summary>
    public bool Authoritative { get; init; }

    /// <summary>The response was truncated (TC): the client should retry over TCP.</summary>
    public bool Truncated { get; init; }

    /// <summary>The server offers recursion (RA).</summary>
    public bool RecursionAvailable { get; init; }

    /// <summary>The response data was authenticated by DNSSEC (AD).</summary>
    public bool AuthenticData { get; init; }

    /// <summary>The query disabled DNSSEC checking (CD).</summary>
    public bool CheckingDisabled { get; init; }

    /// <summary>EDNS: the UDP payload size the query advertised; <see langword="null"/> when it had no OPT record.</summary>
    public int? EdnsUdpPayloadSize { get; init; }

    /// <summary>EDNS: the query set the DNSSEC OK (DO) bit.</summary>
    public bool DnssecOk { get; init; }

    /// <summary>The question type, e.g. <c>A</c>; the opcode for anything but a query, e.g. <c>UPDATE</c>.</summary>
    public override string Operation => Opcode == 0 ? QueryTypeName : DnsNames.OpcodeName(Opcode);

    /// <summary>The name asked about.</summary>
    public override string? Resource => QueryName;

    /// <summary>The response code's mnemonic, e.g. <c>NOERROR</c>, <c>NXDOMAIN</c>; <see langword="null"/> without a response.</summary>
    public override string? Outcome => ResponseCodeName;

    /// <summary>
    /// Whether the server failed or refused (any response code but NOERROR and NXDOMAIN: a name that does
    /// not exist is an answer, not a failure).
    /// </summary>
    public override bool IsError => ResponseCode is { } code && code != 0 && code != 3;
}
