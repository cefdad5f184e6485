using System.Text.Json;

namespace Ebpf.ProtocolTracing.Nats;

/// <summary>
/// The fields kept from the JSON of a <c>CONNECT</c> or <c>INFO</c> line. Credential values are read only
/// when redaction is off; otherwise the reader skips over them, so their bytes never become a string.
/// </summary>
internal sealed class NatsJsonFields
{
    public string? Name { get; private set; }

    public string? Language { get; private set; }

    public string? Version { get; private set; }

    public bool? Verbose { get; private set; }

    public string? ServerId { get; private set; }

    public long? MaxPayload { get; private set; }

    public List<string> Credentials { get; } = [];

    /// <summary>Reads what it can of <paramref name="json"/>; stops quietly at the first malformed token.</summary>
    public static NatsJsonFields Read(ReadOnlySpan<byte> json, bool redactSecrets)
    {
        var fields = new NatsJsonFields();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return fields;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string property = reader.GetString() ?? string.Empty;
                if (!reader.Read())
                {
                    break;
                }

                fields.Take(property, ref reader, redactSecrets);
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // A cut or malformed line, or text that is not UTF-8: keep what was read before it.
        }

        return fields;
    }

    private static bool IsCredential(string property, out bool isPublic)
    {
        isPublic = property == "nkey";
        return property is "user" or "pass" or "auth_token" or "jwt" or "sig" or "nkey";
    }

    private void Take(string property, ref Utf8JsonReader reader, bool redactSecrets)
    {
        if (IsCredential(property, out bool isPublic))
        {
            string value = redactSecrets && !isPublic ? NatsParserOptions.RedactedValue
                : reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty
                : string.Empty;
            Credentials.Add(property + "=" + value);
            return;
        }

        switch (property)
        {
            case "name" when reader.TokenType == JsonTokenType.String:
            case "server_name" when reader.TokenType == JsonTokenType.String:
                Name = reader.GetString();
                break;
            case "lang" when reader.TokenType == JsonTokenType.String:
                Language = reader.GetString();
                break;
            case "version" when reader.TokenType == JsonTokenType.String:
                Version = reader.GetString();
                break;
            case "verbose" when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                Verbose = reader.GetBoolean();
                break;
            case "server_id" when reader.TokenType == JsonTokenType.String:
                ServerId = reader.GetString();
                break;
            case "max_payload" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long max):
                MaxPayload = max;
                break;
        }
    }
}
