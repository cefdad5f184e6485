using System.Globalization;
using System.Numerics;
using Ebpf.ProtocolTracing.Parsing;
using Microsoft.Extensions.Options;

namespace Ebpf.ProtocolTracing;

/// <summary>
/// Checks <see cref="ProtocolTracingOptions"/> before the tracer starts. Every bad value yields a message
/// that names the option and the allowed values, e.g.
/// <c>ProtocolTracingOptions.RingBufferBytes must be a power of two ≥ 4096 (was 5000)</c>.
/// </summary>
/// <remarks>
/// Registered by <c>AddProtocolTracing</c>, so a host with bad options fails at start. Usable without
/// dependency injection too:
/// <code>
/// var result = new ProtocolTracingOptionsValidator(parsers).Validate(null, options);
/// if (result.Failed) Console.Error.WriteLine(result.FailureMessage);
/// </code>
/// </remarks>
public sealed class ProtocolTracingOptionsValidator : IValidateOptions<ProtocolTracingOptions>
{
    /// <summary>Smallest ring buffer the kernel accepts: one page.</summary>
    public const int MinRingBufferBytes = 4096;

    /// <summary>Largest number of perf buffer pages per CPU accepted.</summary>
    public const int MaxPerfBufferPagesPerCpu = 65536;

    /// <summary>Smallest per-connection buffering cap: enough for one typical header block.</summary>
    public const int MinBufferedBytesPerConnection = 4096;

    /// <summary>Shortest connection statistics interval: shorter ones cost more than they tell.</summary>
    public static readonly TimeSpan MinConnectionStatsInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest connection statistics interval.</summary>
    public static readonly TimeSpan MaxConnectionStatsInterval = TimeSpan.FromHours(1);

    private const string Prefix = "ProtocolTracingOptions.";

    private readonly HashSet<string> _parserNames = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a validator that checks parser names against <paramref name="parsers"/>.</summary>
    /// <param name="parsers">The parsers the tracer will use; <see cref="ProtocolTracingOptions.Protocols"/> and <see cref="ProtocolTracingOptions.ParserPorts"/> may name only these.</param>
    public ProtocolTracingOptionsValidator(IEnumerable<IProtocolParser> parsers)
    {
        ArgumentNullException.ThrowIfNull(parsers);
        foreach (var parser in parsers)
            _parserNames.Add(parser.Name);
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ProtocolTracingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (!Enum.IsDefined(options.EventBuffer))
            failures.Add(Describe(nameof(options.EventBuffer), "be RingBuffer or PerfBuffer", options.EventBuffer));
        if (options.RingBufferBytes < MinRingBufferBytes || !BitOperations.IsPow2(options.RingBufferBytes))
            failures.Add(Describe(nameof(options.RingBufferBytes), $"be a power of two ≥ {MinRingBufferBytes}", options.RingBufferBytes));
        if (options.PerfBufferPagesPerCpu < 1 || options.PerfBufferPagesPerCpu > MaxPerfBufferPagesPerCpu || !BitOperations.IsPow2(options.PerfBufferPagesPerCpu))
            failures.Add(Describe(nameof(options.PerfBufferPagesPerCpu), $"be a power of two from 1 to {MaxPerfBufferPagesPerCpu}", options.PerfBufferPagesPerCpu));
        if (options.CaptureBytesPerEvent is < 1 or > 8192)
            failures.Add(Describe(nameof(options.CaptureBytesPerEvent), "be from 1 to 8192", options.CaptureBytesPerEvent));
        if (options.MaxEventsPerSyscall is < 1 or > 8)
            failures.Add(Describe(nameof(options.MaxEventsPerSyscall), "be from 1 to 8", options.MaxEventsPerSyscall));

        foreach (var pid in options.ProcessIds)
        {
            if (pid <= 0)
                failures.Add(Describe(nameof(options.ProcessIds), "hold only process ids > 0", pid));
        }

        foreach (var (port, parserName) in options.ParserPorts)
        {
            if (port is < 1 or > 65535)
                failures.Add(Describe(nameof(options.ParserPorts), "map only ports from 1 to 65535", port));
            if (string.IsNullOrWhiteSpace(parserName) || !_parserNames.Contains(parserName))
                failures.Add($"{Prefix}{nameof(options.ParserPorts)}[{port.ToString(CultureInfo.InvariantCulture)}] must name a registered parser ({RegisteredNames()}) (was '{parserName}'); register custom parsers with AddParser<T>().");
        }

        foreach (var protocol in options.Protocols)
        {
            if (!_parserNames.Contains(protocol))
                failures.Add($"{Prefix}{nameof(options.Protocols)} must name registered parsers ({RegisteredNames()}) (was '{protocol}').");
        }

        if (options.MaxBufferedBytesPerConnection < MinBufferedBytesPerConnection)
            failures.Add(Describe(nameof(options.MaxBufferedBytesPerConnection), $"be ≥ {MinBufferedBytesPerConnection}", options.MaxBufferedBytesPerConnection));
        if (options.MaxBufferedBytesTotal < options.MaxBufferedBytesPerConnection)
            failures.Add(Describe(nameof(options.MaxBufferedBytesTotal), $"be ≥ MaxBufferedBytesPerConnection ({options.MaxBufferedBytesPerConnection.ToString(CultureInfo.InvariantCulture)})", options.MaxBufferedBytesTotal));
        if (options.MaxConnections < 1)
            failures.Add(Describe(nameof(options.MaxConnections), "be ≥ 1", options.MaxConnections));
        if (options.IdleTimeout <= TimeSpan.Zero)
            failures.Add(Describe(nameof(options.IdleTimeout), "be greater than zero", options.IdleTimeout));
        if (options.ReorderWindow < TimeSpan.Zero || (options.IdleTimeout > TimeSpan.Zero && options.ReorderWindow >= options.IdleTimeout))
            failures.Add(Describe(nameof(options.ReorderWindow), $"be ≥ 0 and less than IdleTimeout ({options.IdleTimeout.ToString("c", CultureInfo.InvariantCulture)})", options.ReorderWindow));
        if (options.RecordBufferCapacity < 1)
            failures.Add(Describe(nameof(options.RecordBufferCapacity), "be ≥ 1", options.RecordBufferCapacity));
        if (options.ConnectionStatsInterval < MinConnectionStatsInterval || options.ConnectionStatsInterval > MaxConnectionStatsInterval)
            failures.Add(Describe(nameof(options.ConnectionStatsInterval), "be from 00:00:00.1 to 01:00:00", options.ConnectionStatsInterval));
        if (options.ConnectionStatsBufferCapacity < 1)
            failures.Add(Describe(nameof(options.ConnectionStatsBufferCapacity), "be ≥ 1", options.ConnectionStatsBufferCapacity));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private string RegisteredNames() =>
        _parserNames.Count == 0 ? "none registered" : "registered: " + string.Join(", ", _parserNames.Order(StringComparer.Ordinal));

    private static string Describe<T>(string option, string rule, T value) where T : IFormattable =>
        $"{Prefix}{option} must {rule} (was {value.ToString(null, CultureInfo.InvariantCulture)}).";
}
