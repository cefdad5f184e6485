using System.Text;

namespace Ebpf.ProtocolTracing.Grpc;

/// <summary>The header names gRPC gives meaning to, and the decoding of <c>grpc-message</c>.</summary>
internal static class GrpcHeaders
{
    public const string Status = "grpc-status";
    public const string Message = "grpc-message";

    /// <summary>Whether a content-type is gRPC's (<c>application/grpc</c>, <c>application/grpc+proto</c>, …).</summary>
    public static bool IsGrpcContentType(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == 16 || contentType[16] is '+' or ';');

    /// <summary>Decodes the percent-encoding of <c>grpc-message</c> (UTF-8 bytes as %XX); malformed escapes stay as they are.</summary>
    public static string PercentDecode(string text)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                bytes.Add((byte)Convert.ToInt32(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)text[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
