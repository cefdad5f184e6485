using System.Text.Json.Serialization;

namespace Ebpf.ProtocolTracing.Cli.Output;

/// <summary>Source-generated serialization of <see cref="RecordJson"/> (no reflection, trimming-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RecordJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
