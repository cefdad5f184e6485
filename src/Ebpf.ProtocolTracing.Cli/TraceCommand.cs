using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Ebpf.ProtocolTracing.Cli;

/// <summary>The <c>protocol-trace</c> command line: its options and how they become <see cref="TraceSettings"/>.</summary>
internal static class TraceCommand
{
    public static RootCommand Create()
    {
        var json = new Option<bool>("--json") { Description = "Write one JSON object per record to stdout instead of the table." };
        var pids = new Option<int[]>("--pid") { Description = "Trace only this process id (repeatable). Default: every process but this one." };
        var ports = new Option<int[]>("--port") { Description = "Show only records whose local or remote port is this one (repeatable)." };
        var protocols = new Option<string[]>("--protocol") { Description = "Trace only this protocol, e.g. http (repeatable). Default: all." };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds. Default: until Ctrl-C." };
        var buffer = new Option<string>("--buffer") { Description = "Kernel-to-user buffer: ring (default) or perf.", DefaultValueFactory = _ => "ring" };
        buffer.AcceptOnlyFromAmong("ring", "perf");
        var noTls = new Option<bool>("--no-tls") { Description = "Do not attach uprobes to TLS libraries (OpenSSL): no plaintext of encrypted connections." };
        var captureBytes = new Option<int?>("--capture-bytes") { Description = "Payload bytes captured per kernel event, 1 to 8192. Default: 8192." };
        var summary = new Option<bool>("--summary") { Description = "Per endpoint over the last 10 s: requests/s, error rate, p50 and p99 latency, instead of each record." };
        var plain = new Option<bool>("--plain") { Description = "Plain lines even in a terminal (the default when output is redirected)." };
        var record = new Option<string?>("--record") { Description = "Also save the raw kernel events to this file, for 'protocol-trace replay'." };

        pids.Validators.Add(result => RequireRange(result, result.GetValueOrDefault<int[]>(), 1, int.MaxValue, "--pid"));
        ports.Validators.Add(result => RequireRange(result, result.GetValueOrDefault<int[]>(), 1, 65535, "--port"));
        captureBytes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value)
                RequireRange(result, [value], 1, 8192, "--capture-bytes");
        });
        duration.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } seconds && !(seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds))
                result.AddError($"--duration must be a number of seconds greater than 0 (was {seconds.ToString(CultureInfo.InvariantCulture)}).");
        });

        var command = new RootCommand("Shows the protocol exchanges (HTTP, HTTP/2, gRPC, PostgreSQL, MySQL, Redis, …) of the processes on this host, live, from eBPF. Needs root (or CAP_BPF and CAP_PERFMON).")
        {
            json, pids, ports, protocols, duration, buffer, captureBytes, noTls, summary, plain, record,
        };
        command.Subcommands.Add(CreateReplay(json, pids, ports, protocols, summary, plain));

        command.SetAction((parseResult, cancellationToken) =>
        {
            var settings = new TraceSettings(
                Json: parseResult.GetValue(json),
                ProcessIds: parseResult.GetValue(pids) ?? [],
                Ports: (parseResult.GetValue(ports) ?? []).ToHashSet(),
                Protocols: parseResult.GetValue(protocols) ?? [],
                Duration: parseResult.GetValue(duration) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                Buffer: parseResult.GetValue(buffer) == "perf" ? EventBufferKind.PerfBuffer : EventBufferKind.RingBuffer,
                CaptureBytes: parseResult.GetValue(captureBytes))
            {
                NoTls = parseResult.GetValue(noTls),
                Summary = parseResult.GetValue(summary),
                Plain = parseResult.GetValue(plain),
                RecordPath = parseResult.GetValue(record),
            };
            return TraceSession.RunAsync(settings, cancellationToken);
        });
        return command;
    }

    private static Command CreateReplay(Option<bool> json, Option<int[]> pids, Option<int[]> ports, Option<string[]> protocols, Option<bool> summary, Option<bool> plain)
    {
        var file = new Argument<string>("file") { Description = "A recording made with --record." };
        var replay = new Command("replay", "Runs a recording made with --record through the same parsers, offline: no root, no eBPF.")
        {
            file, json, pids, ports, protocols, summary, plain,
        };
        replay.SetAction((parseResult, cancellationToken) =>
        {
            var settings = new TraceSettings(
                Json: parseResult.GetValue(json),
                ProcessIds: parseResult.GetValue(pids) ?? [],
                Ports: (parseResult.GetValue(ports) ?? []).ToHashSet(),
                Protocols: parseResult.GetValue(protocols) ?? [],
                Duration: null,
                Buffer: EventBufferKind.RingBuffer,
                CaptureBytes: null)
            {
                Summary = parseResult.GetValue(summary),
                Plain = parseResult.GetValue(plain),
            };
            return ReplaySession.RunAsync(parseResult.GetValue(file)!, settings, cancellationToken);
        });
        return replay;
    }

    private static void RequireRange(OptionResult result, int[]? values, int min, int max, string option)
    {
        foreach (var value in values ?? [])
        {
            if (value < min || value > max)
                result.AddError($"{option} must be from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)} (was {value.ToString(CultureInfo.InvariantCulture)}).");
        }
    }
}
