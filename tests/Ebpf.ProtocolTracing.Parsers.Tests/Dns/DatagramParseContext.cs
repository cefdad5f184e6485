using System.Net;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Dns;

/// <summary>
/// Parses datagrams the way the connection tracker does for UDP: one whole datagram per call, its
/// number in that direction as the position, its peer in <see cref="CurrentPeer"/> during the call.
/// </summary>
internal sealed class DatagramParseContext : IParseContext
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly IPEndPoint Server = new(IPAddress.Parse("10.0.0.53"), 53);

    private readonly List<DateTimeOffset>[] _times = [[], []];
    private readonly IConnectionParser _parser;

    public DatagramParseContext(Ebpf.ProtocolTracing.Dns.DnsParserOptions? options = null)
        => _parser = new Ebpf.ProtocolTracing.Dns.DnsParser(options ?? new()).CreateConnectionParser(this);

    public ConnectionInfo Connection { get; } = new()
    {
        Id = new ConnectionId(4242, 9, 1),
        Process = new ProcessInfo(4242, "resolver", 1),
        LocalEndPoint = new IPEndPoint(IPAddress.Any, 40000),
        RemoteEndPoint = new IPEndPoint(IPAddress.Any, 0),
        Role = ConnectionRole.Unknown,
        Transport = TransportProtocol.Udp,
    };

    public IPEndPoint? CurrentPeer { get; private set; }

    public List<ProtocolRecord> Records { get; } = [];

    public List<Ebpf.ProtocolTracing.Dns.DnsRecord> Dns => Records.Cast<Ebpf.ProtocolTracing.Dns.DnsRecord>().ToList();

    public int Invalid { get; private set; }

    public IConnectionParser Parser => _parser;

    public ParseStatus Send(byte[] datagram, DateTimeOffset time, IPEndPoint? peer = null) => Deliver(StreamDirection.Egress, datagram, time, peer);

    public ParseStatus Receive(byte[] datagram, DateTimeOffset time, IPEndPoint? peer = null) => Deliver(StreamDirection.Ingress, datagram, time, peer);

    public ParseStatus Deliver(StreamDirection direction, byte[] datagram, DateTimeOffset time, IPEndPoint? peer)
    {
        var times = _times[(int)direction];
        times.Add(time);
        CurrentPeer = peer ?? Server;
        try
        {
            var status = _parser.Parse(direction, new System.Buffers.ReadOnlySequence<byte>(datagram), times.Count - 1, out _);
            if (status == ParseStatus.Invalid)
            {
                Invalid++;
            }

            return status;
        }
        finally
        {
            CurrentPeer = null;
        }
    }

    public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition)
    {
        var times = _times[(int)direction];
        return streamPosition >= 0 && streamPosition < times.Count ? times[(int)streamPosition] : Epoch;
    }

    public void Emit(ProtocolRecord record) => Records.Add(record);
}
