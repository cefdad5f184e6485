using System.Net;
using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.OpenTelemetry.Tests;

/// <summary>Records as the parsers make them, for feeding the span emitter without a kernel.</summary>
internal static class TestRecords
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static ConnectionInfo Connection(ConnectionRole role, int pid = 4242, ContainerInfo? container = null) => new()
    {
        Id = new ConnectionId(pid, 7, 1),
        Process = new ProcessInfo(pid, "nginx", 123)
        {
            ExecutablePath = "/usr/sbin/nginx",
            CommandLine = "nginx: worker process",
            Container = container,
        },
        LocalEndPoint = role == ConnectionRole.Server ? new IPEndPoint(IPAddress.Loopback, 8080) : new IPEndPoint(IPAddress.Loopback, 51000),
        RemoteEndPoint = role == ConnectionRole.Server ? new IPEndPoint(IPAddress.Parse("10.1.2.3"), 51000) : new IPEndPoint(IPAddress.Parse("10.9.8.7"), 443),
        Role = role,
        Transport = TransportProtocol.Tcp,
    };

    public static HttpRecord Http(ConnectionRole role, int status = 200, string target = "/orders/17?token=secret", int pid = 4242, ContainerInfo? container = null) => new()
    {
        Connection = Connection(role, pid, container),
        Role = role,
        RequestTime = Start,
        ResponseTime = Start.AddMilliseconds(25),
        Method = "GET",
        Target = target,
        Version = "HTTP/1.1",
        StatusCode = status,
    };
}
