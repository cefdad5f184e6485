using Ebpf.ProtocolTracing.Grpc.Protobuf;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Http2;

/// <summary>
/// HTTP/2 with prior knowledge or after TLS ALPN (RFC 9113, HPACK RFC 7541), and gRPC over it: one
/// <see cref="Http.HttpRecord"/> (version <c>HTTP/2</c>) per stream, or one <see cref="Grpc.GrpcRecord"/>
/// per gRPC call.
/// </summary>
public sealed class Http2Parser : IProtocolParser
{
    private readonly Http2ParserOptions _options;
    private readonly ProtobufRenderer? _renderer;

    /// <summary>Creates the parser with default options.</summary>
    public Http2Parser()
        : this(new Http2ParserOptions())
    {
    }

    /// <summary>Creates the parser with the given options.</summary>
    /// <param name="options">Limits, privacy and gRPC settings; validated and copied here.</param>
    /// <exception cref="ArgumentException">A registered descriptor set is not a valid FileDescriptorSet.</exception>
    public Http2Parser(Http2ParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        if (_options.RenderProtobuf)
        {
            var schema = _options.ProtobufDescriptorSets.Count == 0 ? null : ProtobufSchema.Load(_options.ProtobufDescriptorSets, $"{nameof(Http2ParserOptions)}.{nameof(Http2ParserOptions.ProtobufDescriptorSets)}");
            _renderer = new ProtobufRenderer(_options.MaxProtobufDepth, _options.MaxRenderedChars, schema);
        }
    }

    /// <inheritdoc />
    public string Name => "http2";

    /// <inheritdoc />
    public WellKnownProtocol KernelProtocol => WellKnownProtocol.Http2;

    /// <inheritdoc />
    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => Http2Inference.Score(data);

    /// <inheritdoc />
    public IConnectionParser CreateConnectionParser(IParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Http2ConnectionParser(context, _options, _renderer);
    }
}
