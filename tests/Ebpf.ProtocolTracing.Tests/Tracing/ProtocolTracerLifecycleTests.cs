namespace Ebpf.ProtocolTracing.Tests.Tracing;

/// <summary>What the tracer does before it touches the kernel: option checks and stop/dispose without a start.</summary>
public sealed class ProtocolTracerLifecycleTests
{
    [Fact]
    public async Task Invalid_options_fail_start_with_the_options_name_and_fault_Attached()
    {
        await using var tracer = new ProtocolTracer(new ProtocolTracingOptions { RingBufferBytes = 5000 });

        var error = await Assert.ThrowsAsync<ProtocolTracingException>(() => tracer.StartAsync());

        Assert.Contains("ProtocolTracingOptions.RingBufferBytes must be a power of two ≥ 4096 (was 5000)", error.Message, StringComparison.Ordinal);
        var attachedError = await Assert.ThrowsAsync<ProtocolTracingException>(() => tracer.Attached.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Same(error, attachedError);

        // A second start repeats the same failure instead of trying again with the same bad options.
        Assert.Same(error, await Assert.ThrowsAsync<ProtocolTracingException>(() => tracer.StartAsync()));
    }

    [Fact]
    public async Task ReadRecordsAsync_surfaces_the_start_failure()
    {
        var options = new ProtocolTracingOptions();
        options.Protocols.Add("nosuch");
        await using var tracer = new ProtocolTracer(options);

        var error = await Assert.ThrowsAsync<ProtocolTracingException>(async () =>
        {
            await foreach (var record in tracer.ReadRecordsAsync())
                Assert.Fail($"no record expected, got {record}");
        });

        Assert.Contains("ProtocolTracingOptions.Protocols", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_parser_list_fails_with_what_to_do()
    {
        await using var tracer = new ProtocolTracer(new ProtocolTracingOptions(), parsers: []);

        var error = await Assert.ThrowsAsync<ProtocolTracingException>(() => tracer.StartAsync());

        Assert.Contains("No protocol parser", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_and_dispose_without_start_are_idempotent_and_end_the_records()
    {
        var tracer = new ProtocolTracer(new ProtocolTracingOptions());

        await tracer.StopAsync();
        await tracer.StopAsync();
        tracer.Dispose();
        await tracer.DisposeAsync();

        Assert.True(tracer.Attached.IsCanceled);
        var count = 0;
        await foreach (var _ in tracer.ReadRecordsAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token))
            count++;
        Assert.Equal(0, count);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tracer.StartAsync());
        Assert.Equal(new TracerStatistics(), tracer.GetStatistics());
    }
}
