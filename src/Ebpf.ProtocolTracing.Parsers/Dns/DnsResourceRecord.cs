namespace Ebpf.ProtocolTracing.Dns;

/// <summary>One resource record of a response, its data rendered compactly.</summary>
/// <param name="Name">The owner name, without the trailing dot (<c>.</c> for the root).</param>
/// <param name="Type">The record type number (<see cref="DnsRecordTypes"/>).</param>
/// <param name="Ttl">Time to live in seconds.</param>
/// <param name="Data">
/// The data: an address for A/AAAA, a name for CNAME/NS/PTR, <c>preference exchange</c> for MX,
/// <c>priority weight port target</c> for SRV, <c>mname rname serial refresh retry expire minimum</c> for
/// SOA, quoted strings for TXT (or a redaction marker), <c>[N bytes]</c> for other types.
/// </param>
public sealed record DnsResourceRecord(string Name, ushort Type, uint Ttl, string Data)
{
    /// <summary>The type's mnemonic, e.g. <c>A</c> or <c>TYPE99</c>.</summary>
    public string TypeName => DnsNames.TypeName(Type);

    /// <summary>Zone-file style: <c>name TTL TYPE data</c>.</summary>
    public override string ToString() => $"{Name} {Ttl} {TypeName} {Data}";
}
