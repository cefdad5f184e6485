using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Http2;

/// <summary>Limits, privacy and gRPC settings of the HTTP/2 parser.</summary>
public sealed class Http2ParserOptions
{
    /// <summary>
    /// Body bytes kept per message (default 4096). The real body size is always recorded; bytes beyond
    /// this limit are counted and dropped.
    /// </summary>
    public int MaxBodyBytes { get; set; } = 4096;

    // Built on first use, thread-safely: connection parsers of one parser may run on several threads.
    private readonly Lazy<HttpSecretHeaderSet?> _activeSecretHeaders;

    /// <summary>Creates options with the defaults.</summary>
    public Http2ParserOptions() => _activeSecretHeaders = new(() => HttpSecretHeaderSet.Create(RedactSecrets, SecretHeaders));

    /// <summary>
    /// Whether the values of the header fields named in <see cref="SecretHeaders"/> are replaced by
    /// <see cref="HttpParserOptions.RedactedValue"/> (default <see langword="true"/>), and with them the
    /// values of fields whose name could not be decoded (a reference to a dynamic-table entry never seen).
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>
    /// The header field names (case-insensitive) whose values are redacted while <see cref="RedactSecrets"/>
    /// is on, in HTTP/2 and gRPC metadata. Starts as <see cref="HttpParserOptions.DefaultSecretHeaders"/>; add
    /// your own (<c>o.SecretHeaders.Add("x-tenant-key")</c>) or remove one to see its value. Read once, when
    /// the parser is created.
    /// </summary>
    public ISet<string> SecretHeaders { get; } = new HashSet<string>(HttpParserOptions.DefaultSecretHeaders, StringComparer.OrdinalIgnoreCase);

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
    /// Serialized <c>google.protobuf.FileDescriptorSet</c>s (as written by <c>protoc --include_imports
    /// --descriptor_set_out=FILE</c>) or single <c>FileDescriptorProto</c>s (a generated type's
    /// <c>Descriptor.File.SerializedData</c>), for rendering gRPC messages with field names, enum names and
    /// typed values. The request and response types come from the call's <c>:path</c>
    /// (<c>/package.Service/Method</c>); calls of methods no registered file describes, and fields a type
    /// does not declare, are rendered without a schema. Type names are linked across all entries, so
    /// imports may be registered separately and in any order. Read when the parser is created: bytes that
    /// are not such a message make it throw <see cref="ArgumentException"/>.
    /// </summary>
    public ICollection<byte[]> ProtobufDescriptorSets { get; } = new List<byte[]>();

    /// <summary>Adds the FileDescriptorSet in a file (e.g. from <c>protoc --include_imports --descriptor_set_out=api.pb</c>) to <see cref="ProtobufDescriptorSets"/>.</summary>
    /// <param name="path">The descriptor set file.</param>
    /// <returns>These options.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public Http2ParserOptions AddProtobufDescriptorSetFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The protobuf descriptor set {path} does not exist; write it with `protoc --include_imports --descriptor_set_out={path} …`.", path);
        }

        ProtobufDescriptorSets.Add(File.ReadAllBytes(path));
        return this;
    }

    /// <summary>Checks the values and says which one is wrong.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of its range.</exception>
    /// <exception cref="ArgumentException">A name in <see cref="SecretHeaders"/> is not a header field name.</exception>
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
        HttpSecretHeaderSet.Validate(SecretHeaders, nameof(SecretHeaders));
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

        copy.SecretHeaders.Clear();
        copy.SecretHeaders.UnionWith(SecretHeaders);
        return copy;
    }

    /// <summary>
    /// What the record builder redacts: <see cref="SecretHeaders"/> frozen at first use, or
    /// <see langword="null"/> when no named field is redacted. Only read on the parser's private copy, which never changes.
    /// </summary>
    internal HttpSecretHeaderSet? ActiveSecretHeaders => _activeSecretHeaders.Value;
}
