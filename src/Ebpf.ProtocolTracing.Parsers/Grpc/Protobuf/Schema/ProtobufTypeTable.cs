namespace Ebpf.ProtocolTracing.Grpc.Protobuf.Schema;

/// <summary>
/// The message types, enum types and methods of all registered files by fully qualified name, and
/// the linking of type names (absolute <c>.pkg.Type</c> or relative to a scope) to those types.
/// </summary>
internal sealed class ProtobufTypeTable
{
    private readonly Dictionary<string, ProtobufMessageType> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProtobufEnumType> _enums = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Scope, string Input, string Output)> _declaredMethods = new(StringComparer.Ordinal);

    /// <summary>Methods by gRPC path (<c>/package.Service/Method</c>), with their linked input and output types.</summary>
    public Dictionary<string, (ProtobufMessageType? Input, ProtobufMessageType? Output)> Methods { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a message type; a second file defining the same name does not replace the first.</summary>
    public void Add(ProtobufMessageType type) => _messages.TryAdd(type.FullName, type);

    /// <summary>Adds an enum type.</summary>
    public void Add(ProtobufEnumType type) => _enums.TryAdd(type.FullName, type);

    /// <summary>Adds a method; its type names are linked by <see cref="Link"/>.</summary>
    public void AddMethod(string path, string scope, string input, string output) => _declaredMethods.TryAdd(path, (scope, input, output));

    /// <summary>The message type of a fully qualified name (no leading dot), or <see langword="null"/>.</summary>
    public ProtobufMessageType? MessageNamed(string fullName) => _messages.GetValueOrDefault(fullName);

    /// <summary>Links every field's and method's type name to its type; names no file defines stay unlinked.</summary>
    public void Link()
    {
        foreach (var message in _messages.Values)
        {
            foreach (var field in message.Fields.Values)
            {
                if (field.TypeName is null || field.Type is not (ProtobufFieldType.Message or ProtobufFieldType.Enum or ProtobufFieldType.Group or ProtobufFieldType.Unresolved))
                {
                    continue;
                }

                var name = Resolve(field.TypeName, message.FullName);
                field.MessageType = name is null ? null : _messages.GetValueOrDefault(name);
                field.EnumType = name is null ? null : _enums.GetValueOrDefault(name);
                if (field.Type == ProtobufFieldType.Unresolved)
                {
                    field.Type = field.EnumType is not null ? ProtobufFieldType.Enum : ProtobufFieldType.Message;
                }
            }
        }

        foreach (var (path, method) in _declaredMethods)
        {
            var input = Resolve(method.Input, method.Scope);
            var output = Resolve(method.Output, method.Scope);
            Methods[path] = (input is null ? null : _messages.GetValueOrDefault(input), output is null ? null : _messages.GetValueOrDefault(output));
        }
    }

    /// <summary>
    /// The fully qualified name a type name refers to from <paramref name="scope"/>: absolute names as
    /// they are, relative ones searched from the innermost scope outwards, as protoc does.
    /// </summary>
    private string? Resolve(string typeName, string scope)
    {
        if (typeName.StartsWith('.'))
        {
            return typeName[1..];
        }

        while (true)
        {
            var candidate = scope.Length == 0 ? typeName : scope + "." + typeName;
            if (_messages.ContainsKey(candidate) || _enums.ContainsKey(candidate))
            {
                return candidate;
            }

            if (scope.Length == 0)
            {
                return null;
            }

            int dot = scope.LastIndexOf('.');
            scope = dot < 0 ? string.Empty : scope[..dot];
        }
    }
}
