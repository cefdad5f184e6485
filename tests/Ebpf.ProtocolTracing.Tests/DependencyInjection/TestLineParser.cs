using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tests.DependencyInjection;

/// <summary>A host's own parser for the registration tests: recognises lines starting with <c>PING</c>.</summary>
public sealed class TestLineParser : IProtocolParser
{
    public string Name => "testline";

    public WellKnownProtocol KernelProtocol => WellKnownProtocol.None;

    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => data.StartsWith("PING"u8) ? 100 : 0;

    public IConnectionParser CreateConnectionParser(IParseContext context) => new LineSkipper();

    // Consumes whole lines and emits nothing: enough for a parser that only has to be registered.
    private sealed class LineSkipper : IConnectionParser
    {
        public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
        {
            var reader = new SequenceReader<byte>(data);
            while (reader.TryAdvanceTo((byte)'\n'))
            {
            }

            consumed = reader.Position;
            return ParseStatus.Continue;
        }

        public bool OnGap(StreamDirection direction, long length) => false;

        public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
        {
            frameStart = data.Start;
            return true;
        }

        public void Complete()
        {
        }
    }
}
