using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ebpf.ProtocolTracing.Tests.DependencyInjection;

public sealed class ProtocolTracingServiceCollectionExtensionsTests
{
    [Fact]
    public void AddProtocolTracing_resolves_one_tracer_with_every_built_in_parser_and_a_hosted_service()
    {
        var services = new ServiceCollection();
        services.AddProtocolTracing();
        services.AddProtocolTracing();
        using var provider = services.BuildServiceProvider();

        var tracer = provider.GetRequiredService<IProtocolTracer>();
        Assert.IsType<ProtocolTracer>(tracer);
        Assert.Same(tracer, provider.GetRequiredService<IProtocolTracer>());
        Assert.Equal(BuiltInParserTypes(), ParserTypes(provider));
        Assert.Single(provider.GetServices<IHostedService>());
    }

    [Fact]
    public void Options_flow_through_configure_and_later_Configure_calls()
    {
        var services = new ServiceCollection();
        services.AddProtocolTracing(o =>
        {
            o.RingBufferBytes = 1 << 20;
            o.ProcessIds.Add(4242);
        });
        services.Configure<ProtocolTracingOptions>(o => o.CaptureBytesPerEvent = 512);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ProtocolTracingOptions>>().Value;

        Assert.Equal(1 << 20, options.RingBufferBytes);
        Assert.Equal(512, options.CaptureBytesPerEvent);
        Assert.Equal([4242], options.ProcessIds);
    }

    [Fact]
    public void AddParser_adds_a_parser_once_next_to_the_built_in_ones()
    {
        var services = new ServiceCollection();
        services.AddProtocolTracing().AddParser<TestLineParser>().AddParser<TestLineParser>();
        using var provider = services.BuildServiceProvider();

        Assert.Equal(BuiltInParserTypes().Append(nameof(TestLineParser)).Order(StringComparer.Ordinal), ParserTypes(provider));
    }

    [Fact]
    public void The_validator_knows_the_added_parsers()
    {
        static ValidateOptionsResult Validate(bool addParser)
        {
            var services = new ServiceCollection();
            var builder = services.AddProtocolTracing(o => o.ParserPorts[9000] = "testline");
            if (addParser)
                builder.AddParser<TestLineParser>();
            using var provider = services.BuildServiceProvider();
            var options = provider.GetRequiredService<IOptionsMonitor<ProtocolTracingOptions>>();
            try
            {
                _ = options.CurrentValue;
                return ValidateOptionsResult.Success;
            }
            catch (OptionsValidationException e)
            {
                return ValidateOptionsResult.Fail(e.Failures);
            }
        }

        Assert.True(Validate(addParser: true).Succeeded);
        var failure = Assert.Single(Validate(addParser: false).Failures!);
        Assert.Contains("ProtocolTracingOptions.ParserPorts[9000]", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigureHttp_reaches_the_http_parser_options()
    {
        var services = new ServiceCollection();
        services.AddProtocolTracing().ConfigureHttp(o =>
        {
            o.MaxBodyBytes = 0;
            o.RedactSecrets = false;
        });
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<HttpParserOptions>>().Value;

        Assert.Equal(0, options.MaxBodyBytes);
        Assert.False(options.RedactSecrets);
        Assert.Single(provider.GetServices<IProtocolParser>().OfType<HttpParser>());
    }

    [Fact]
    public void A_tracer_registered_first_is_kept()
    {
        var services = new ServiceCollection();
        var mine = new ProtocolTracer(new ProtocolTracingOptions());
        services.AddSingleton<IProtocolTracer>(mine);
        services.AddProtocolTracing();
        using var provider = services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<IProtocolTracer>());
    }

    [Fact]
    public async Task Bad_options_fail_host_start_naming_the_option()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddProtocolTracing(o => o.RingBufferBytes = 5000);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ProtocolTracingOptions.RingBufferBytes must be a power of two ≥ 4096 (was 5000)", error.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(ProtocolTracingOptions), error.OptionsType);
    }

    /// <summary>The built-in list and the DI registrations must name the same parsers, each once.</summary>
    private static string[] BuiltInParserTypes() =>
        [.. BuiltInParsers.CreateAll().Select(p => p.GetType().Name).Order(StringComparer.Ordinal)];

    private static string[] ParserTypes(IServiceProvider provider) =>
        [.. provider.GetServices<IProtocolParser>().Select(p => p.GetType().Name).Order(StringComparer.Ordinal)];
}
