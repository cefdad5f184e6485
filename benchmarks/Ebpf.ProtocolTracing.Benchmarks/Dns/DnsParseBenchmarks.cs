using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Common;
using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Benchmarks.Dns;

/// <summary>
/// The full DNS path on one resolver socket: decode each query and response datagram (names with
/// compression), pair them, build the <see cref="DnsRecord"/>s. One call is one exchange: one record.
/// </summary>
[MemoryDiagnoser]
public class DnsParseBenchmarks
{
    private static readonly IPEndPoint Server = new(IPAddress.Loopback, 53);

    private ParserExchange _udp = null!;
    private ParserExchange _tcp = null!;
    private ReadOnlySequence<byte> _query;
    private ReadOnlySequence<byte> _response;
    private ReadOnlySequence<byte> _tcpExchangeQuery;
    private ReadOnlySequence<byte> _tcpExchangeResponse;

    [GlobalSetup]
    public void Setup()
    {
        _udp = new ParserExchange(new DnsParser(), Resolver(TransportProtocol.Udp), currentPeer: Server);
        _tcp = new ParserExchange(new DnsParser(), Resolver(TransportProtocol.Tcp));
        var query = Message(0x1234, response: false);
        var response = Message(0x1234, response: true);
        _query = new ReadOnlySequence<byte>(query);
        _response = new ReadOnlySequence<byte>(response);
        _tcpExchangeQuery = new ReadOnlySequence<byte>(Framed(query));
        _tcpExchangeResponse = new ReadOnlySequence<byte>(Framed(response));
        ParserExchange.ExpectRecords(nameof(UdpExchange), UdpExchange(), 1);
        ParserExchange.ExpectRecords(nameof(TcpExchange), TcpExchange(), 1);
    }

    /// <summary>Bytes of one exchange (query and response datagrams).</summary>
    public long ExchangeBytes => _query.Length + _response.Length;

    /// <summary>An A query for www.example.com and its response: a CNAME and two A records, compressed names.</summary>
    [Benchmark]
    public int UdpExchange() =>
        _udp.FeedDatagram(StreamDirection.Egress, _query) + _udp.FeedDatagram(StreamDirection.Ingress, _response);

    /// <summary>The same exchange over TCP, each message after its 2-byte length.</summary>
    [Benchmark]
    public int TcpExchange() =>
        _tcp.FeedAt(StreamDirection.Egress, _tcpExchangeQuery, 0) + _tcp.FeedAt(StreamDirection.Ingress, _tcpExchangeResponse, 0);

    private static ConnectionInfo Resolver(TransportProtocol transport) => new()
    {
        Id = new ConnectionId(1, 3, 1),
        Process = ProcessInfo.FromPid(1),
        Role = ConnectionRole.Client,
        RemoteEndPoint = Server,
        Transport = transport,
    };

    private static byte[] Framed(byte[] message)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }

    // RFC 1035 section 4.1; 0xC00C points at the question's name (offset 12).
    private static byte[] Message(ushort id, bool response)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, response ? (byte)0x81 : (byte)0x01, response ? (byte)0x80 : (byte)0x00, 0, 1, 0, (byte)(response ? 3 : 0), 0, 0, 0, 0 };
        foreach (var label in "www.example.com".Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, 0, 1, 0, 1]);
        if (response)
        {
            // www.example.com CNAME web.example.com (web + pointer to example.com at offset 16)
            bytes.AddRange([0xC0, 12, 0, 5, 0, 1, 0, 0, 1, 44, 0, 6, 3, (byte)'w', (byte)'e', (byte)'b', 0xC0, 16]);
            var web = bytes.Count - 6;
            foreach (var last in new byte[] { 10, 11 })
            {
                bytes.AddRange([0xC0, (byte)web, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, last]);
            }
        }

        return [.. bytes];
    }
}
