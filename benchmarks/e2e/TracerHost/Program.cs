using System.Globalization;
using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing;
using Ebpf.ProtocolTracing.E2e;

// A minimal host of the library for the end-to-end measurements: it counts records and connection
// statistics instead of printing them, so what it costs is the tracer's own cost. Usage:
//   tracer-host [--pid N]... [--ring-bytes N] [--capture-bytes N] [--status-seconds S] [--no-tls]
// It prints "attached" once the probes are on, a status line every --status-seconds (default 2), and
// on SIGTERM or Ctrl-C the final counters, in the CLI's wording so the same scripts read both.
var options = HostArguments.Parse(args, out var statusInterval);
using var stopping = new CancellationTokenSource();
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

await using var tracer = new ProtocolTracer(options);
try
{
    await tracer.StartAsync(stopping.Token).ConfigureAwait(false);
}
catch (ProtocolTracingException e)
{
    await Console.Error.WriteLineAsync($"tracer-host: {e.Message}").ConfigureAwait(false);
    return 1;
}

await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
    $"tracer-host: attached {tracer.AttachedProbeCount} probes; ring buffer {options.RingBufferBytes} bytes, capture {options.CaptureBytesPerEvent} bytes × {options.MaxEventsPerSyscall} events per syscall, record buffer {options.RecordBufferCapacity}")).ConfigureAwait(false);

var counts = new ConsumedCounts();
var records = Task.Run(() => counts.ConsumeRecordsAsync(tracer, stopping.Token));
var connectionStats = Task.Run(() => counts.ConsumeConnectionStatsAsync(tracer, stopping.Token));
var status = Task.Run(() => StatusLines.RunAsync(tracer, counts, statusInterval, stopping.Token));
await Task.WhenAll(records, connectionStats, status).ConfigureAwait(false);

await tracer.StopAsync(CancellationToken.None).ConfigureAwait(false);
await counts.ConsumeRecordsAsync(tracer, CancellationToken.None).ConfigureAwait(false);
await Console.Error.WriteLineAsync(StatusLines.Final(tracer.GetStatistics(), counts)).ConfigureAwait(false);
return 0;
