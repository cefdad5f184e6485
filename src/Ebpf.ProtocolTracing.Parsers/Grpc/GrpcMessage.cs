namespace Ebpf.ProtocolTracing.Grpc;

/// <summary>One length-prefixed gRPC message (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md), as kept.</summary>
public sealed record GrpcMessage
{
    /// <summary>Whether the compressed flag was set (the bytes are then in the call's <c>grpc-encoding</c>).</summary>
    public bool Compressed { get; init; }

    /// <summary>The message length declared by its prefix.</summary>
    public long Length { get; init; }

    /// <summary>The message bytes kept, at most <see cref="Http2.Http2ParserOptions.MaxGrpcMessageBytes"/>.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>Whether <see cref="Data"/> holds fewer bytes than <see cref="Length"/> (limit, capture gap, or the call ended early).</summary>
    public bool Truncated => Data.Length < Length;

    /// <summary>
    /// The message as protobuf text: with field names when a registered descriptor set describes the method,
    /// otherwise field numbers and wire types; <see langword="null"/> when compressed, truncated or not rendered.
    /// </summary>
    public string? Text { get; init; }

    /// <inheritdoc />
    public override string ToString() => Text ?? $"{Length} B{(Compressed ? " compressed" : "")}";
}
