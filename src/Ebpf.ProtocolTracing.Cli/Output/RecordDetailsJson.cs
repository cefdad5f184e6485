using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Ebpf.ProtocolTracing.Cli.Output;

/// <summary>
/// Serializes the fields a record type adds to <see cref="ProtocolRecord"/> (any protocol, including a
/// host's own record types), leaving out the common ones that <see cref="RecordJson"/> already wrote.
/// </summary>
internal static class RecordDetailsJson
{
    private static readonly HashSet<string> CommonProperties = CommonPropertyNames();

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutCommonProperties } },
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new PayloadJsonConverter());
        options.MakeReadOnly();
        return options;
    }

    private static void LeaveOutCommonProperties(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object || !typeof(ProtocolRecord).IsAssignableFrom(typeInfo.Type))
            return;
        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            if (typeInfo.Properties[i].AttributeProvider is MemberInfo member && CommonProperties.Contains(member.Name))
                typeInfo.Properties.RemoveAt(i);
        }
    }

    private static HashSet<string> CommonPropertyNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { "EqualityContract" };
        foreach (var property in typeof(ProtocolRecord).GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            names.Add(property.Name);
        return names;
    }
}
