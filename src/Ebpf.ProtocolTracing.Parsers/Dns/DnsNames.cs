using System.Globalization;

namespace Ebpf.ProtocolTracing.Dns;

/// <summary>Mnemonics of DNS record types and response codes (https://www.iana.org/assignments/dns-parameters).</summary>
public static class DnsNames
{
    /// <summary>The record type's mnemonic, e.g. <c>AAAA</c>; <c>TYPE65</c> for types without one here (RFC 3597).</summary>
    /// <param name="type">The type number.</param>
    public static string TypeName(ushort type) => type switch
    {
        DnsRecordTypes.A => "A",
        DnsRecordTypes.NS => "NS",
        DnsRecordTypes.CNAME => "CNAME",
        DnsRecordTypes.SOA => "SOA",
        DnsRecordTypes.PTR => "PTR",
        DnsRecordTypes.MX => "MX",
        DnsRecordTypes.TXT => "TXT",
        DnsRecordTypes.AAAA => "AAAA",
        DnsRecordTypes.SRV => "SRV",
        DnsRecordTypes.OPT => "OPT",
        DnsRecordTypes.HTTPS => "HTTPS",
        DnsRecordTypes.SVCB => "SVCB",
        DnsRecordTypes.CAA => "CAA",
        DnsRecordTypes.ANY => "ANY",
        _ => "TYPE" + type.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The response code's mnemonic, e.g. <c>NXDOMAIN</c>; <c>RCODE23</c> for codes without one here.</summary>
    /// <param name="code">The (possibly EDNS-extended) response code.</param>
    public static string ResponseCodeName(int code) => code switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        16 => "BADVERS",
        _ => "RCODE" + code.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The opcode's mnemonic, e.g. <c>QUERY</c>.</summary>
    /// <param name="opcode">The header's opcode.</param>
    public static string OpcodeName(int opcode) => opcode switch
    {
        0 => "QUERY",
        1 => "IQUERY",
        2 => "STATUS",
        4 => "NOTIFY",
        5 => "UPDATE",
        _ => "OPCODE" + opcode.ToString(CultureInfo.InvariantCulture),
    };
}
