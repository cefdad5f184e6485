namespace Ebpf.ProtocolTracing.Http2.Hpack;

/// <summary>One decoded header field; a part is <see langword="null"/> when it came from an unknown dynamic-table entry.</summary>
internal readonly record struct HpackField(string? Name, string? Value);
