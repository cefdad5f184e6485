namespace Ebpf.ProtocolTracing.Dns;

/// <summary>Numbers of the record types the parser decodes or names (RFC 1035, 3596, 2782, 6891, 9460, 8659).</summary>
public static class DnsRecordTypes
{
    /// <summary>IPv4 address.</summary>
    public const ushort A = 1;

    /// <summary>Authoritative name server.</summary>
    public const ushort NS = 2;

    /// <summary>Canonical name (alias).</summary>
    public const ushort CNAME = 5;

    /// <summary>Start of authority.</summary>
    public const ushort SOA = 6;

    /// <summary>Domain name pointer.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The record type's mnemonic (RFC 1035).")]
    public const ushort PTR = 12;

    /// <summary>Mail exchange.</summary>
    public const ushort MX = 15;

    /// <summary>Text strings.</summary>
    public const ushort TXT = 16;

    /// <summary>IPv6 address.</summary>
    public const ushort AAAA = 28;

    /// <summary>Service location.</summary>
    public const ushort SRV = 33;

    /// <summary>EDNS(0) pseudo-record.</summary>
    public const ushort OPT = 41;

    /// <summary>Service binding.</summary>
    public const ushort SVCB = 64;

    /// <summary>HTTPS service binding.</summary>
    public const ushort HTTPS = 65;

    /// <summary>Any type (queries only).</summary>
    public const ushort ANY = 255;

    /// <summary>Certification authority authorization.</summary>
    public const ushort CAA = 257;
}
