using System.Text.Json;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration;

/// <summary>
/// The custom-parser sample, run as a user would (<c>samples/LineProtocol.Tracer</c> in its own
/// process), traces a line-protocol server and client in this process on a configured port.
/// </summary>
[Collection("Kernel")]
public sealed class LineProtocolSampleTests
{
    [KernelFact]
    public async Task The_sample_parser_gets_the_configured_ports_data_and_pairs_each_reply()
    {
        await using var server = new LineProtocolServer();
        await using var tracer = await TracerProcess.StartSampleAsync(server.Port, Environment.ProcessId);

        var replies = await server.QueryAsync("alpha", "missing", "boom", "beta");
        Assert.Equal(["VALUE one", "NOT_FOUND", "ERROR bad key", "VALUE two"], replies);

        foreach (var (role, portField) in new[] { ("Server", "LocalPort"), ("Client", "RemotePort") })
        {
            var records = await tracer.WaitForAsync(
                r => r.GetProperty("Role").GetString() == role && r.GetProperty(portField).GetInt32() == server.Port,
                4);
            Assert.Equal(4, records.Count);
            Assert.All(records, r => Assert.Equal(Environment.ProcessId, r.GetProperty("Pid").GetInt32()));
            Assert.All(records, r => Assert.Equal("GET", r.GetProperty("Command").GetString()));
            Assert.All(records, r => Assert.False(r.GetProperty("DataLost").GetBoolean()));
            Assert.All(records, r => Assert.True(r.GetProperty("LatencyMicroseconds").GetDouble() > 0));
            Assert.Equal(["alpha", "missing", "boom", "beta"], records.Select(r => r.GetProperty("Key").GetString()));
            Assert.Equal(["Value", "NotFound", "Error", "Value"], records.Select(r => r.GetProperty("Reply").GetString()));
            Assert.Equal(["one", null, "bad key", "two"], records.Select(r => Text(r)));
        }
    }

    private static string? Text(JsonElement record) =>
        record.GetProperty("Text").ValueKind == JsonValueKind.Null ? null : record.GetProperty("Text").GetString();
}
