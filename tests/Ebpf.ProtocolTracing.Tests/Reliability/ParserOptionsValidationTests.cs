using System.Reflection;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// Every numeric limit and timeout of every built-in parser's options refuses a negative value when the
/// parser is created, with a message that names the option, so a bad configuration fails at start and
/// says what to fix instead of misbehaving later.
/// </summary>
public sealed class ParserOptionsValidationTests
{
    public static TheoryData<string, string> Limits()
    {
        var data = new TheoryData<string, string>();
        foreach (var (parserType, optionsType) in ParserTypes())
        {
            foreach (var property in NumericProperties(optionsType))
            {
                data.Add(parserType.Name, property.Name);
            }
        }

        return data;
    }

    [Fact]
    public void EveryBuiltInParser_HasAnOptionsConstructor()
    {
        var withOptions = ParserTypes().Select(p => p.Parser).ToHashSet();
        foreach (var parser in BuiltInParsers.CreateAll())
        {
            Assert.Contains(parser.GetType(), withOptions);
        }
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void NegativeLimit_FailsAtCreation_NamingTheOption(string parserName, string optionName)
    {
        var (parserType, optionsType) = ParserTypes().Single(p => p.Parser.Name == parserName);
        var options = Activator.CreateInstance(optionsType)!;
        var property = optionsType.GetProperty(optionName)!;
        property.SetValue(options, Negative(property.PropertyType));

        var thrown = Assert.ThrowsAny<Exception>(() => Create(parserType, options));

        var error = thrown is TargetInvocationException { InnerException: { } inner } ? inner : thrown;
        Assert.IsAssignableFrom<ArgumentException>(error);
        Assert.Contains(optionName, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void DefaultLimit_IsAccepted(string parserName, string optionName)
    {
        var (parserType, optionsType) = ParserTypes().Single(p => p.Parser.Name == parserName);
        var options = Activator.CreateInstance(optionsType)!;
        Assert.NotNull(optionsType.GetProperty(optionName));

        Assert.NotNull(Create(parserType, options));
    }

    private static object Create(Type parserType, object options) =>
        parserType.GetConstructor([options.GetType()])!.Invoke([options]);

    private static object Negative(Type type) =>
        type == typeof(int) ? -1
        : type == typeof(long) ? -1L
        : type == typeof(TimeSpan) ? TimeSpan.FromSeconds(-1)
        : throw new ArgumentOutOfRangeException(nameof(type), type, "Not a numeric option type.");

    private static IEnumerable<PropertyInfo> NumericProperties(Type optionsType) =>
        optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && (p.PropertyType == typeof(int) || p.PropertyType == typeof(long) || p.PropertyType == typeof(TimeSpan)));

    private static IEnumerable<(Type Parser, Type Options)> ParserTypes()
    {
        foreach (var type in typeof(BuiltInParsers).Assembly.GetTypes())
        {
            if (!type.IsClass || type.IsAbstract || !typeof(IProtocolParser).IsAssignableFrom(type) || !type.IsPublic)
            {
                continue;
            }

            foreach (var constructor in type.GetConstructors())
            {
                var parameters = constructor.GetParameters();
                if (parameters.Length == 1 && parameters[0].ParameterType.Name.EndsWith("ParserOptions", StringComparison.Ordinal))
                {
                    yield return (type, parameters[0].ParameterType);
                }
            }
        }
    }
}
