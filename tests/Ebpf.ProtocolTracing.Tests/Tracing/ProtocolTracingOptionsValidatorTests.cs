using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tests.Tracing;

public sealed class ProtocolTracingOptionsValidatorTests
{
    private static readonly ProtocolTracingOptionsValidator Validator = new([new HttpParser()]);

    public static TheoryData<string, Action<ProtocolTracingOptions>, string> BadValues => new()
    {
        { "EventBuffer", o => o.EventBuffer = (EventBufferKind)7, "(was 7)" },
        { "RingBufferBytes", o => o.RingBufferBytes = 5000, "must be a power of two ≥ 4096 (was 5000)" },
        { "RingBufferBytes", o => o.RingBufferBytes = 2048, "(was 2048)" },
        { "PerfBufferPagesPerCpu", o => o.PerfBufferPagesPerCpu = 3, "(was 3)" },
        { "PerfBufferPagesPerCpu", o => o.PerfBufferPagesPerCpu = 0, "(was 0)" },
        { "CaptureBytesPerEvent", o => o.CaptureBytesPerEvent = 0, "be from 1 to 8192 (was 0)" },
        { "CaptureBytesPerEvent", o => o.CaptureBytesPerEvent = 8193, "(was 8193)" },
        { "MaxEventsPerSyscall", o => o.MaxEventsPerSyscall = 9, "be from 1 to 8 (was 9)" },
        { "ProcessIds", o => o.ProcessIds.Add(-4), "(was -4)" },
        { "ParserPorts", o => o.ParserPorts[70000] = "http", "(was 70000)" },
        { "ParserPorts", o => o.ParserPorts[9000] = "nosuch", "(was 'nosuch')" },
        { "Protocols", o => o.Protocols.Add("nosuch"), "(was 'nosuch')" },
        { "MaxBufferedBytesPerConnection", o => o.MaxBufferedBytesPerConnection = 100, "(was 100)" },
        { "MaxBufferedBytesTotal", o => o.MaxBufferedBytesTotal = 8192, "(was 8192)" },
        { "MaxConnections", o => o.MaxConnections = 0, "(was 0)" },
        { "IdleTimeout", o => o.IdleTimeout = TimeSpan.Zero, "(was 00:00:00)" },
        { "ReorderWindow", o => o.ReorderWindow = TimeSpan.FromSeconds(-1), "(was -00:00:01)" },
        { "ReorderWindow", o => o.ReorderWindow = TimeSpan.FromMinutes(10), "less than IdleTimeout" },
        { "RecordBufferCapacity", o => o.RecordBufferCapacity = 0, "(was 0)" },
    };

    [Fact]
    public void Defaults_are_valid()
    {
        var result = Validator.Validate(null, new ProtocolTracingOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_fails_naming_the_option_and_the_value(string option, Action<ProtocolTracingOptions> spoil, string expected)
    {
        var options = new ProtocolTracingOptions();
        spoil(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith($"ProtocolTracingOptions.{option}", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_parser_name_lists_the_registered_ones()
    {
        var options = new ProtocolTracingOptions();
        options.ParserPorts[9000] = "lineproto";

        var failure = Assert.Single(Validator.Validate(null, options).Failures!);

        Assert.Contains("ProtocolTracingOptions.ParserPorts[9000]", failure, StringComparison.Ordinal);
        Assert.Contains("registered: http", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Parser_names_compare_without_case_and_valid_edges_pass()
    {
        var options = new ProtocolTracingOptions
        {
            RingBufferBytes = 4096,
            PerfBufferPagesPerCpu = 1,
            CaptureBytesPerEvent = 8192,
            MaxEventsPerSyscall = 1,
            ReorderWindow = TimeSpan.Zero,
            RecordBufferCapacity = 1,
        };
        options.Protocols.Add("HTTP");
        options.ParserPorts[65535] = "Http";

        var result = Validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once()
    {
        var options = new ProtocolTracingOptions { RingBufferBytes = 5000, CaptureBytesPerEvent = 0, RecordBufferCapacity = -1 };

        var failures = Validator.Validate(null, options).Failures!.ToArray();

        Assert.Equal(3, failures.Length);
        Assert.Contains(failures, f => f.StartsWith("ProtocolTracingOptions.RingBufferBytes", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ProtocolTracingOptions.CaptureBytesPerEvent", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ProtocolTracingOptions.RecordBufferCapacity", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_parsers_no_protocol_name_is_accepted()
    {
        var options = new ProtocolTracingOptions();
        options.Protocols.Add("http");

        var failure = Assert.Single(new ProtocolTracingOptionsValidator(Array.Empty<IProtocolParser>()).Validate(null, options).Failures!);

        Assert.Contains("none registered", failure, StringComparison.Ordinal);
    }
}
