using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Dns;

/// <summary>dig (a child process) against a real dnsmasq, over UDP and TCP, traced from the kernel: both ends.</summary>
[Collection("Kernel")]
public sealed class DigTests
{
    private static readonly DnsParserOptions ShowTxt = new() { RedactTxtData = false };

    [KernelFact]
    public async Task Dig_over_udp_yields_client_records_for_dig_and_server_records_for_dnsmasq()
    {
        await using var dns = await DnsServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions(), [new DnsParser(ShowTxt)]);

        var dig = await dns.DigAsync(
            DnsServer.WebName, "A", DnsServer.WebName, "AAAA", DnsServer.AliasName, "CNAME", DnsServer.TxtName, "TXT",
            DnsServer.SrvName, "SRV", DnsServer.Zone, "MX", DnsServer.MissingName, "A");
        Assert.Equal(0, dig.ExitCode);
        Assert.Contains("NXDOMAIN", dig.StandardOutput, StringComparison.Ordinal);

        var sent = await session.WaitForAsync<DnsRecord>(r => r.Pid == dig.Pid && r.RemoteEndPoint?.Port == dns.Port && r.ResponseCode is not null, 7, "dig's queries");
        var served = await session.WaitForAsync<DnsRecord>(r => r.Pid == dns.Pid && r.LocalEndPoint?.Port == dns.Port && r.ResponseCode is not null, 7, "dnsmasq's answers");

        DnsRecord Sent(string name, string type) => Assert.Single(sent, r => r.QueryName == name && r.QueryTypeName == type);
        Assert.Equal([DnsServer.WebAddress], Sent(DnsServer.WebName, "A").Answers.Select(a => a.Data));
        Assert.Equal([DnsServer.WebAddress6], Sent(DnsServer.WebName, "AAAA").Answers.Select(a => a.Data));
        Assert.Contains(Sent(DnsServer.AliasName, "CNAME").Answers, a => a.TypeName == "CNAME" && a.Data == DnsServer.WebName);
        Assert.Equal(["\"" + DnsServer.TxtText + "\""], Sent(DnsServer.TxtName, "TXT").Answers.Select(a => a.Data));
        Assert.Equal(["1 5 8080 " + DnsServer.WebName], Sent(DnsServer.SrvName, "SRV").Answers.Select(a => a.Data));
        Assert.Equal(["10 mail." + DnsServer.Zone], Sent(DnsServer.Zone, "MX").Answers.Select(a => a.Data));
        var missing = Sent(DnsServer.MissingName, "A");
        Assert.Equal("NXDOMAIN", missing.Outcome);
        Assert.Empty(missing.Answers);

        foreach (var record in sent)
        {
            Assert.Equal(ConnectionRole.Client, record.Role);
            Assert.Equal(TransportProtocol.Udp, record.Connection.Transport);
            Assert.Equal("dig", record.ProcessName);
            Assert.Equal(System.Net.IPAddress.Loopback, record.RemoteEndPoint!.Address);
            Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}");
            Assert.False(record.DataLost);
        }

        // dnsmasq answers everyone from one unconnected socket: each record names the asker's port.
        var clientPorts = sent.Select(r => r.LocalEndPoint?.Port).ToHashSet();
        foreach (var record in served)
        {
            Assert.Equal(ConnectionRole.Server, record.Role);
            Assert.Equal(TransportProtocol.Udp, record.Connection.Transport);
            Assert.Contains(record.RemoteEndPoint?.Port, clientPorts);
            Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}");
        }

        Assert.Equal(sent.Select(r => (r.Id, r.QueryName)).Order(), served.Select(r => (r.Id, r.QueryName)).Order());
    }

    [KernelFact]
    public async Task Dig_over_tcp_yields_records_through_the_stream_path()
    {
        await using var dns = await DnsServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions(), [new DnsParser()]);

        var dig = await dns.DigAsync("+tcp", DnsServer.WebName, "A", DnsServer.MissingName, "A");
        Assert.Equal(0, dig.ExitCode);

        var sent = await session.WaitForAsync<DnsRecord>(r => r.Pid == dig.Pid && r.RemoteEndPoint?.Port == dns.Port && r.ResponseCode is not null, 2, "dig's TCP queries");
        var web = Assert.Single(sent, r => r.QueryName == DnsServer.WebName);
        Assert.Equal([DnsServer.WebAddress], web.Answers.Select(a => a.Data));
        Assert.Equal("NXDOMAIN", Assert.Single(sent, r => r.QueryName == DnsServer.MissingName).Outcome);
        Assert.All(sent, r => Assert.Equal(TransportProtocol.Tcp, r.Connection.Transport));
        Assert.All(sent, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.All(sent, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));
        Assert.All(sent, r => Assert.False(r.DataLost));

        // Not asserted: dnsmasq's side. On a port other than 53 it is recognised only at its response: it
        // reads each length prefix one byte per syscall, so no head before that shows DNS.
    }

    [KernelFact]
    public async Task Dnsmasq_on_port_53_is_traced_over_tcp_on_its_own_side_from_the_first_query()
    {
        // Port 53 is what lets the kernel take dnsmasq's one-byte reads for DNS; a loopback address of the
        // test's own keeps it free whatever else listens here.
        string address = $"127.53.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}";
        await using var dns = await DnsServer.StartAsync(address, 53);
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions(), [new DnsParser()]);

        var dig = await dns.DigAsync("+tcp", DnsServer.WebName, "A", DnsServer.MissingName, "A");
        Assert.Equal(0, dig.ExitCode);

        // dnsmasq answers each TCP connection in a child process of its own: served records carry the child's pid.
        bool Served(DnsRecord r) => r.LocalEndPoint?.Port == 53 && r.LocalEndPoint.Address.ToString() == address && r.ResponseCode is not null;
        var served = await session.WaitForAsync<DnsRecord>(Served, 2, "dnsmasq's TCP answers");
        var sent = await session.WaitForAsync<DnsRecord>(r => r.Pid == dig.Pid && r.RemoteEndPoint?.Port == 53 && r.ResponseCode is not null, 2, "dig's TCP queries");
        var web = Assert.Single(served, r => r.QueryName == DnsServer.WebName);
        Assert.Equal([DnsServer.WebAddress], web.Answers.Select(a => a.Data));
        Assert.Equal("NXDOMAIN", Assert.Single(served, r => r.QueryName == DnsServer.MissingName).Outcome);
        foreach (var record in served)
        {
            Assert.Equal((ConnectionRole.Server, TransportProtocol.Tcp, false), (record.Role, record.Connection.Transport, record.DataLost));
            Assert.Equal("dnsmasq", record.ProcessName);
            Assert.NotEqual(dig.Pid, record.Pid);
            Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}");
            // The same exchange dig saw, from the other end of the same connection.
            var mine = Assert.Single(sent, r => r.QueryName == record.QueryName);
            Assert.Equal((mine.LocalEndPoint!.Port, mine.Id), (record.RemoteEndPoint!.Port, record.Id));
        }
    }
}
