namespace Ebpf.ProtocolTracing.Http2;

/// <summary>Names of the error codes of RST_STREAM and GOAWAY (RFC 9113 section 7).</summary>
public static class Http2ErrorCodes
{
    private static readonly string[] Names =
    [
        "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED",
        "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
    ];

    /// <summary>The name of <paramref name="code"/>, e.g. <c>CANCEL</c>, or <c>0x…</c> for codes RFC 9113 does not define.</summary>
    /// <param name="code">The 32-bit error code from the frame.</param>
    public static string NameOf(uint code) =>
        code < Names.Length ? Names[code] : "0x" + code.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
