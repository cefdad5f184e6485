using System.Globalization;
using System.Text.Json;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration;

/// <summary>The <c>protocol-trace</c> command line tool, run as a user runs it, sees curl talk to nginx.</summary>
[Collection("Kernel")]
public sealed class ProtocolTraceCliTests
{
    [KernelFact]
    public async Task Json_output_has_both_sides_of_a_request_on_the_chosen_port()
    {
        await using var nginx = await NginxServer.StartAsync();
        await using var cli = await TracerProcess.StartCliAsync(
            "--json", "--port", nginx.Port.ToString(CultureInfo.InvariantCulture), "--duration", "120");

        var curl = await Curl.RunAsync(nginx.Url("/index.html?cli=1"));

        var records = await cli.WaitForAsync(r => Text(r, "target") == "/index.html?cli=1", 2);
        Assert.Equal(2, records.Count);
        var server = Assert.Single(records, r => Text(r, "role") == "server");
        var client = Assert.Single(records, r => Text(r, "role") == "client");

        Assert.Equal(nginx.Pid, server.GetProperty("pid").GetInt32());
        Assert.Equal(curl.Pid, client.GetProperty("pid").GetInt32());
        Assert.Equal("curl", Text(client, "process"));
        Assert.Equal($"127.0.0.1:{nginx.Port}", Text(server, "local"));
        Assert.Equal($"127.0.0.1:{nginx.Port}", Text(client, "remote"));
        Assert.Equal(Text(client, "local"), Text(server, "remote"));
        foreach (var record in records)
        {
            Assert.Equal("http", Text(record, "protocol"));
            Assert.Equal("GET", Text(record, "method"));
            Assert.Equal(200, record.GetProperty("statusCode").GetInt32());
            Assert.True(record.GetProperty("latencyMs").GetDouble() > 0);
        }
    }

    private static string? Text(JsonElement record, string property) =>
        record.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
