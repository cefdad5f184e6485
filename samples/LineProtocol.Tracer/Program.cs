// Traces the line protocol on one port and prints each exchange as a JSON line on stdout.
//   sudo dotnet run --project samples/LineProtocol.Tracer -- --port 7070 [--pid 1234] [--duration 30]
// Diagnostics (and the "attached" notice) go to stderr, so stdout stays machine-readable.
using System.Text.Json;
using Ebpf.ProtocolTracing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Samples.LineProtocol;

var builder = Host.CreateApplicationBuilder(args);
var port = builder.Configuration.GetValue("port", 7070);
var pid = builder.Configuration.GetValue<int?>("pid");
var duration = builder.Configuration.GetValue<double?>("duration");
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

builder.Services
    .AddProtocolTracing(o =>
    {
        o.ParserPorts[port] = LineProtocolParser.ProtocolName;
        o.Protocols.Add(LineProtocolParser.ProtocolName);
        if (pid is { } tracedPid)
        {
            o.ProcessIds.Add(tracedPid);
        }
    })
    .AddParser<LineProtocolParser>();

using var host = builder.Build();
using var stopping = duration is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds)) : new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};

var tracer = host.Services.GetRequiredService<IProtocolTracer>();
try
{
    // The host's hosted service attaches the probes; a host that may not trace fails here, saying why.
    await host.StartAsync(stopping.Token);
    await tracer.Attached.WaitAsync(stopping.Token);
    Console.Error.WriteLine($"LineProtocol.Tracer: attached, tracing port {port}");

    await foreach (var record in tracer.ReadRecordsAsync(stopping.Token))
    {
        if (record is LineProtocolRecord line)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                line.Pid,
                line.ProcessName,
                Role = line.Role.ToString(),
                LocalPort = line.LocalEndPoint?.Port,
                RemotePort = line.RemoteEndPoint?.Port,
                line.Command,
                line.Key,
                Reply = line.Reply.ToString(),
                line.Text,
                LatencyMicroseconds = line.Latency?.TotalMicroseconds,
                line.DataLost,
            }));
        }
    }
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    // --duration elapsed or Ctrl+C: a normal end.
}
catch (ProtocolTracingException e)
{
    Console.Error.WriteLine($"LineProtocol.Tracer: {e.Message}");
    return 1;
}
finally
{
    await host.StopAsync(CancellationToken.None);
}

return 0;
