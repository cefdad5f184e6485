using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>One connection's HTTP/1.x state.</summary>
internal sealed class HttpConnectionParser(IParseContext context, HttpParserOptions options) : IConnectionParser
{
    private readonly IParseContext _context = context;
    private readonly HttpParserOptions _options = options;

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        consumed = data.Start;
        return ParseStatus.Continue;
    }

    public bool OnGap(StreamDirection direction, long length) => false;

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        frameStart = data.Start;
        return false;
    }

    public void Complete()
    {
    }
}
