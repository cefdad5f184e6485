namespace Ebpf.ProtocolTracing.Http2;

/// <summary>Limits, privacy and gRPC settings of the HTTP/2 parser.</summary>
public sealed class Http2ParserOptions
{
    /// <summary>
    /// Body bytes kept per message (default 4096). The real body size is always recorded; bytes beyond
    /// this limit are counted and dropped.
    /// </summary>
    public int MaxBodyBytes { get; set; } = 4096;

    /// <summary>
    /// Whether the values of <c>authorization</c>, <c>proxy-authorization</c>, <c>cookie</c> and
    /// <c>set-cookie</c> are replaced by <see cref="Http.HttpParserOptions.RedactedValue"/> (default <see langword="true"/>).
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>
    /// Largest header block (HEADERS or PUSH_PROMISE with its CONTINUATION frames) and largest control
    /// frame payload buffered (default 64 KiB); a larger one makes the stream invalid.
    /// </summary>
    public int MaxHeaderBlockBytes { get; set; } = 64 * 1024;

    /// <summary>Most header fields kept per header block (default 256); further fields are counted as dropped.</summary>
    public int MaxHeaderCount { get; set; } = 256;

    /// <summary>
    /// Largest frame accepted at all (default the protocol maximum, 16 MiB − 1). A frame is also invalid when it
    /// is larger than the SETTINGS_MAX_FRAME_SIZE its receiver advertised.
    /// </summary>
    public int MaxFrameSize { get; set; } = (1 << 24) - 1;

    /// <summary>Most bytes of HPACK dynamic table kept per direction whatever the peers agree (default 64 KiB).</summary>
    public int MaxHeaderTableSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Most streams followed at once per connection (default 1024). When more are open, the oldest is emitted
    /// with <see cref="ProtocolRecord.DataLost"/> and counted as evicted.
    /// </summary>
    public int MaxOpenStreams { get; set; } = 1024;

    /// <summary>How many messages of a gRPC call are kept per direction (default 4); all are counted.</summary>
    public int MaxGrpcMessagesKept { get; set; } = 4;

    /// <summary>Bytes kept of each kept gRPC message (default 4096); the real length is always recorded.</summary>
    public int MaxGrpcMessageBytes { get; set; } = 4096;

    /// <summary>Whether kept gRPC messages are rendered as protobuf text (default <see langword="true"/>).</summary>
    public bool RenderProtobuf { get; set; } = true;

    /// <summary>Longest rendering of one protobuf message in characters (default 2048); longer ones end in "…".</summary>
    public int MaxRenderedChars { get; set; } = 2048;

    /// <summary>Deepest nesting of protobuf messages rendered (default 16).</summary>
    public int MaxProtobufDepth { get; set; } = 16;

    /// <summary>
    /// Serialized <c>google.protobuf.FileDescriptorSet</c>s (as written by <c>protoc --descriptor_set_out</c>
    /// with <c>--include_imports</c>), for rendering messages with field names. Not used yet: every message
    /// is currently rendered without a schema.
    /// </summary>
    public ICollection<byte[]> ProtobufDescriptorSets { get; } = new List<byte[]>();

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeaderBlockBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeaderCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, Http2FrameHeader.DefaultMaxFrameSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFrameSize, Http2FrameHeader.ProtocolMaxLength);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxHeaderTableSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOpenStreams, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxGrpcMessagesKept);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxGrpcMessageBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRenderedChars, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxProtobufDepth, 1);
        foreach (var set in ProtobufDescriptorSets)
        {
            ArgumentNullException.ThrowIfNull(set, nameof(ProtobufDescriptorSets));
        }
    }

    /// <summary>A copy, so later changes by the caller do not reach a running parser.</summary>
    internal Http2ParserOptions Clone()
    {
        var copy = new Http2ParserOptions
        {
            MaxBodyBytes = MaxBodyBytes,
            RedactSecrets = RedactSecrets,
            MaxHeaderBlockBytes = MaxHeaderBlockBytes,
            MaxHeaderCount = MaxHeaderCount,
            MaxFrameSize = MaxFrameSize,
            MaxHeaderTableSize = MaxHeaderTableSize,
            MaxOpenStreams = MaxOpenStreams,
            MaxGrpcMessagesKept = MaxGrpcMessagesKept,
            MaxGrpcMessageBytes = MaxGrpcMessageBytes,
            RenderProtobuf = RenderProtobuf,
            MaxRenderedChars = MaxRenderedChars,
            MaxProtobufDepth = MaxProtobufDepth,
        };
        foreach (var set in ProtobufDescriptorSets)
        {
            copy.ProtobufDescriptorSets.Add((byte[])set.Clone());
        }

        return copy;
    }
}
