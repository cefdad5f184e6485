using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Grpc.Protobuf;

/// <summary>A bounded text builder: stops accepting text past its limit and ends the output with "…".</summary>
internal sealed class ProtobufTextWriter(int maxChars)
{
    private readonly StringBuilder _text = new(Math.Min(maxChars, 256));

    /// <summary>Whether the limit was reached; rendering may stop early.</summary>
    public bool Full { get; private set; }

    public void Append(string text)
    {
        if (Full)
        {
            return;
        }

        if (_text.Length + text.Length > maxChars)
        {
            _text.Append(text.AsSpan(0, Math.Max(0, maxChars - _text.Length))).Append('…');
            Full = true;
            return;
        }

        _text.Append(text);
    }

    public void Append(ulong value) => Append(value.ToString(CultureInfo.InvariantCulture));

    public void Append(long value) => Append(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Writes a quoted string, escaping quotes, backslashes and control characters.</summary>
    public void AppendQuoted(string value)
    {
        var escaped = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            _ = c switch
            {
                '"' => escaped.Append("\\\""),
                '\\' => escaped.Append("\\\\"),
                '\n' => escaped.Append("\\n"),
                '\r' => escaped.Append("\\r"),
                '\t' => escaped.Append("\\t"),
                _ when char.IsControl(c) => escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => escaped.Append(c),
            };
        }

        Append(escaped.Append('"').ToString());
    }

    /// <summary>Writes bytes as a quoted string of hex escapes (bytes that are not text).</summary>
    public void AppendBytes(ReadOnlySpan<byte> bytes)
    {
        var hex = new StringBuilder(bytes.Length * 4 + 2).Append('"');
        foreach (byte b in bytes)
        {
            hex.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
            if (hex.Length > maxChars)
            {
                break;
            }
        }

        Append(hex.Append('"').ToString());
    }

    public override string ToString() => _text.ToString();
}
