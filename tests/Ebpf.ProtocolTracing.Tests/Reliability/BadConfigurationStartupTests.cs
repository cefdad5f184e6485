using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// A host configured through AddProtocolTracing and every Configure&lt;Protocol&gt; extension fails to
/// start on a bad value, with a message naming the option, before any kernel work begins.
/// </summary>
public sealed class BadConfigurationStartupTests
{
    public static TheoryData<string, string> ParserLimits()
    {
        var data = new TheoryData<string, string>();
        foreach (var method in ConfigureMethods())
        {
            foreach (var property in NumericProperties(OptionsType(method)))
            {
                data.Add(method.Name, property.Name);
            }
        }

        return data;
    }

    [Fact]
    public void EveryBuiltInParser_HasAConfigureExtension()
    {
        var configured = ConfigureMethods().Select(OptionsType).ToHashSet();
        foreach (var parser in Parsing.BuiltInParsers.CreateAll())
        {
            var constructorOptions = parser.GetType().GetConstructors()
                .Select(c => c.GetParameters()).Where(p => p.Length == 1).Select(p => p[0].ParameterType);
            Assert.Contains(constructorOptions, configured.Contains);
        }
    }

    [Theory]
    [MemberData(nameof(ParserLimits))]
    public async Task NegativeParserLimit_FailsHostStart_NamingTheOption(string configureMethod, string optionName)
    {
        var method = ConfigureMethods().Single(m => m.Name == configureMethod);
        var optionsType = OptionsType(method);
        var property = optionsType.GetProperty(optionName)!;
        var negative = property.PropertyType == typeof(int) ? -1 : property.PropertyType == typeof(long) ? -1L : (object)TimeSpan.FromSeconds(-1);
        var setter = typeof(BadConfigurationStartupTests).GetMethod(nameof(Setter), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(optionsType).Invoke(null, [property, negative])!;

        var message = await StartAndCollectError(tracing => method.Invoke(null, [tracing, setter]));

        Assert.Contains(optionName, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RingBufferBytes")]
    [InlineData("MaxConnections")]
    [InlineData("IdleTimeout")]
    public async Task BadTracerOption_FailsHostStart_NamingTheOption(string optionName)
    {
        var message = await StartAndCollectError(_ => { }, options =>
        {
            switch (optionName)
            {
                case "RingBufferBytes": options.RingBufferBytes = 5000; break;
                case "MaxConnections": options.MaxConnections = 0; break;
                default: options.IdleTimeout = TimeSpan.Zero; break;
            }
        });

        Assert.Contains("ProtocolTracingOptions." + optionName, message, StringComparison.Ordinal);
    }

    private static Action<T> Setter<T>(PropertyInfo property, object value) => options => property.SetValue(options, value);

    private static async Task<string> StartAndCollectError(Action<IProtocolTracingBuilder> configureParsers, Action<ProtocolTracingOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        configureParsers(builder.Services.AddProtocolTracing(configure));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var host = builder.Build();
        Exception? error = null;
        try
        {
            await host.StartAsync(cancel.Token);
        }
        catch (Exception exception)
        {
            error = exception;
        }

        if (error is null)
        {
            await host.StopAsync(CancellationToken.None);
            Assert.Fail("The host started despite the bad option.");
        }

        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }

    private static Type OptionsType(MethodInfo method) => method.GetParameters()[1].ParameterType.GetGenericArguments()[0];

    private static IEnumerable<MethodInfo> ConfigureMethods() =>
        typeof(IProtocolTracingBuilder).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.IsAbstract && t.IsSealed)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.Name.StartsWith("Configure", StringComparison.Ordinal)
                && m.GetParameters() is [{ } first, { } second]
                && first.ParameterType == typeof(IProtocolTracingBuilder)
                && second.ParameterType.IsGenericType
                && second.ParameterType.GetGenericTypeDefinition() == typeof(Action<>)
                && second.ParameterType.GetGenericArguments()[0].Name.EndsWith("ParserOptions", StringComparison.Ordinal));

    private static IEnumerable<PropertyInfo> NumericProperties(Type optionsType) =>
        optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && (p.PropertyType == typeof(int) || p.PropertyType == typeof(long) || p.PropertyType == typeof(TimeSpan)));
}
