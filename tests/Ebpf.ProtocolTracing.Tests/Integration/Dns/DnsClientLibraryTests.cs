using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;
using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Dns;

/// <summary>DnsClient.NET and plain sockets in this process against a real dnsmasq.</summary>
[Collection("Kernel")]
public sealed class DnsClientLibraryTests
{
    private static ProtocolTracingOptions OwnProcess()
    {
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        return options;
    }

    private static LookupClient Client(DnsServer dns, bool tcp = false) => new(new LookupClientOptions(new NameServer(IPAddress.Loopback, dns.Port))
    {
        UseCache = false,
        Retries = 0,
        Timeout = TimeSpan.FromSeconds(5),
        UseTcpOnly = tcp,
    });

    [KernelFact]
    public async Task Lookups_in_process_become_client_records_with_answers_and_rcodes()
    {
        await using var dns = await DnsServer.StartAsync();
        await using var session = await TracingSession.StartAsync(OwnProcess(), [new DnsParser()]);
        var client = Client(dns);

        var a = await client.QueryAsync(DnsServer.WebName, QueryType.A);
        Assert.Equal(DnsServer.WebAddress, a.Answers.ARecords().Single().Address.ToString());
        var mx = await client.QueryAsync(DnsServer.Zone, QueryType.MX);
        Assert.Single(mx.Answers.MxRecords());
        var missing = await client.QueryAsync(DnsServer.MissingName, QueryType.A);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, missing.Header.ResponseCode);
        var tcp = await Client(dns, tcp: true).QueryAsync(DnsServer.WebName, QueryType.AAAA);
        Assert.Single(tcp.Answers.AaaaRecords());

        bool Mine(DnsRecord r) => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == dns.Port && r.ResponseCode is not null;
        var records = await session.WaitForAsync<DnsRecord>(Mine, 4, "DnsClient's lookups");

        var web = Assert.Single(records, r => r.QueryName == DnsServer.WebName && r.QueryTypeName == "A");
        Assert.Equal([DnsServer.WebAddress], web.Answers.Select(x => x.Data));
        Assert.Equal(a.Header.Id, web.Id);
        Assert.Equal(TransportProtocol.Udp, web.Connection.Transport);
        Assert.Equal(["10 mail." + DnsServer.Zone], Assert.Single(records, r => r.QueryTypeName == "MX").Answers.Select(x => x.Data));
        Assert.Equal("NXDOMAIN", Assert.Single(records, r => r.QueryName == DnsServer.MissingName).Outcome);
        var overTcp = Assert.Single(records, r => r.QueryTypeName == "AAAA");
        Assert.Equal(TransportProtocol.Tcp, overTcp.Connection.Transport);
        Assert.Equal([DnsServer.WebAddress6], overTcp.Answers.Select(x => x.Data));
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.All(records, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));
    }

    [KernelFact]
    public async Task Tracer_started_after_sockets_were_used_still_records_later_queries()
    {
        await using var dns = await DnsServer.StartAsync();
        var server = new IPEndPoint(IPAddress.Loopback, dns.Port);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Connect(server);
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await tcp.ConnectAsync(server);

        await ExchangeUdpAsync(udp, 1, DnsServer.WebName);
        await ExchangeTcpAsync(tcp, 2, DnsServer.WebName);

        await using var session = await TracingSession.StartAsync(OwnProcess(), [new DnsParser()]);
        await ExchangeUdpAsync(udp, 3, DnsServer.MissingName);
        await ExchangeTcpAsync(tcp, 4, DnsServer.WebName);

        bool Mine(DnsRecord r) => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == dns.Port && r.ResponseCode is not null;
        var records = await session.WaitForAsync<DnsRecord>(Mine, 2, "queries after the tracer started");
        var overUdp = Assert.Single(records, r => r.Id == 3);
        Assert.Equal(DnsServer.MissingName, overUdp.QueryName);
        Assert.Equal("NXDOMAIN", overUdp.Outcome);
        Assert.Equal(TransportProtocol.Udp, overUdp.Connection.Transport);
        var overTcp = Assert.Single(records, r => r.Id == 4);
        Assert.Equal([DnsServer.WebAddress], overTcp.Answers.Select(x => x.Data));
        Assert.Equal(TransportProtocol.Tcp, overTcp.Connection.Transport);
        Assert.DoesNotContain(records, r => r.Id is 1 or 2);
        Assert.All(records, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));
    }

    /// <summary>A standard query for an A record with recursion desired (RFC 1035 section 4.1).</summary>
    private static byte[] Query(ushort id, string name)
    {
        var message = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            message.Add((byte)label.Length);
            message.AddRange(Encoding.ASCII.GetBytes(label));
        }

        message.AddRange([0, 0, 1, 0, 1]);
        return [.. message];
    }

    private static async Task ExchangeUdpAsync(Socket socket, ushort id, string name)
    {
        await socket.SendAsync(Query(id, name));
        var buffer = new byte[512];
        using var timer = new CancellationTokenSource(TestTimeouts.Process);
        var length = await socket.ReceiveAsync(buffer, timer.Token);
        Assert.True(length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id, "dnsmasq answered the UDP query");
    }

    private static async Task ExchangeTcpAsync(Socket socket, ushort id, string name)
    {
        var query = Query(id, name);
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await socket.SendAsync(framed);
        using var timer = new CancellationTokenSource(TestTimeouts.Process);
        var prefix = new byte[2];
        await socket.ReceiveAsync(prefix, timer.Token);
        var response = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        var read = 0;
        while (read < response.Length)
        {
            read += await socket.ReceiveAsync(response.AsMemory(read), timer.Token);
        }

        Assert.Equal(id, BinaryPrimitives.ReadUInt16BigEndian(response));
    }
}
