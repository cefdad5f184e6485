using System.Globalization;
using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing.Cli.Views;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Cli;

/// <summary>One run of <c>protocol-trace</c>: attach, print records until Ctrl-C or the duration, detach, report.</summary>
internal static class TraceSession
{
    private const string Name = "protocol-trace";

    public static async Task<int> RunAsync(TraceSettings settings, CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
        {
            // Keep the process alive so the probes are detached and the statistics printed.
            e.Cancel = true;
            stopping.Cancel();
        }

        Console.CancelKeyPress += OnCancelKeyPress;
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });
        if (settings.Duration is { } duration)
            stopping.CancelAfter(duration);

        // libbpf's own chatter stays out of the terminal; a load failure's exception carries its log tail.
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Ebpf.ProtocolTracing.Kernel", LogLevel.Error)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        using var view = TraceViews.Create(settings, replay: false);
        var tracer = new ProtocolTracer(settings.ToTracingOptions(), settings.CreateParsers(), loggerFactory);
        if (settings.RecordPath is { } recordPath)
            tracer.RecordTo(recordPath);
        using var renderStop = new CancellationTokenSource();
        var render = Task.CompletedTask;
        try
        {
            await tracer.StartAsync(stopping.Token).ConfigureAwait(false);
            var buffer = settings.Buffer == EventBufferKind.PerfBuffer ? "perf buffer" : "ring buffer";
            var recording = settings.RecordPath is null ? string.Empty : $"; recording to {settings.RecordPath}";
            await Console.Error.WriteLineAsync($"{Name}: attached {tracer.AttachedProbeCount.ToString(CultureInfo.InvariantCulture)} probes ({buffer}){recording}; tracing… press Ctrl-C to stop").ConfigureAwait(false);
            render = view.RunAsync(tracer.GetStatistics, renderStop.Token);

            try
            {
                await foreach (var record in tracer.ReadRecordsAsync(stopping.Token).ConfigureAwait(false))
                    Show(view, settings, record);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Ctrl-C, SIGTERM or --duration: the normal end.
            }

            await tracer.StopAsync(CancellationToken.None).ConfigureAwait(false);

            // Stopping completes the connections still open; their exchanges come out now.
            await foreach (var record in tracer.ReadRecordsAsync(CancellationToken.None).ConfigureAwait(false))
                Show(view, settings, record);
            await renderStop.CancelAsync().ConfigureAwait(false);
            await render.ConfigureAwait(false);
            view.Finish(tracer.GetStatistics());

            await Console.Error.WriteLineAsync(DescribeStatistics(tracer.GetStatistics())).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped before the probes were attached.
            return 0;
        }
        catch (ProtocolTracingException e)
        {
            await Console.Error.WriteLineAsync($"{Name}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            await renderStop.CancelAsync().ConfigureAwait(false);
            await render.ConfigureAwait(false);
            Console.CancelKeyPress -= OnCancelKeyPress;
            await tracer.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static void Show(TraceView view, TraceSettings settings, ProtocolRecord record)
    {
        if (settings.Shows(record))
            view.Add(record);
    }

    private static string DescribeStatistics(TracerStatistics s) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name}: {s.EventsRead} events read, {s.KernelEventsLost} lost in the kernel ({s.KernelBytesLost} bytes); {s.RecordsProduced} records, {s.RecordsDropped} dropped; {s.GapBytes} gap bytes, {s.ResyncSkippedBytes} skipped resyncing; {s.ParseFailures} parse failures; {s.BytesNotCaptured} bytes of other traffic not captured");
}
