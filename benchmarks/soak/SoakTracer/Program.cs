using System.Globalization;
using Ebpf.ProtocolTracing;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Soak;

// The tracer under soak: traces the given pids with every built-in parser, reads every record, and
// appends one line of its own health to a CSV every interval until the duration ends or it is stopped.
var settings = SoakSettings.Parse(args);
var options = new ProtocolTracingOptions { TraceTls = false };
foreach (var pid in settings.ProcessIds)
{
    options.ProcessIds.Add(pid);
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

// SIGTERM (soak.sh stops the tracer with it): end the sampling loop so the last row is written.
using var onSigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

await using var tracer = new ProtocolTracer(options, BuiltInParsers.CreateAll());
await tracer.StartAsync(stop.Token);
await tracer.Attached;
Console.WriteLine("attached");
stop.CancelAfter(settings.Duration); // measured from the attach: loading and verifying take seconds under load

var counts = new RecordCounts();
var reading = Task.Run(async () =>
{
    try
    {
        await foreach (var record in tracer.ReadRecordsAsync(stop.Token))
        {
            counts.Add(record);
        }
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
    }
});

await using var csv = new StreamWriter(settings.CsvPath, append: false) { AutoFlush = true };
await csv.WriteLineAsync(HealthSample.CsvHeader);
var started = DateTime.UtcNow;
using var timer = new PeriodicTimer(settings.Interval);
try
{
    do
    {
        var sample = HealthSample.Take(DateTime.UtcNow - started, tracer.GetStatistics(), counts);
        await csv.WriteLineAsync(sample.ToCsv());
    }
    while (await timer.WaitForNextTickAsync(stop.Token));
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
}

var last = HealthSample.Take(DateTime.UtcNow - started, tracer.GetStatistics(), counts);
await csv.WriteLineAsync(last.ToCsv());
await tracer.StopAsync(CancellationToken.None);
await reading;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped after {last.Elapsed.TotalSeconds:F0} s: {last.Records} records, {last.Statistics.KernelEventsLost} kernel events lost"));
