using System.Buffers;
using System.Text;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>
/// Feeds a connection parser the way the connection tracker does: per stream, keep the bytes the
/// parser did not consume, append the next piece, call again; after Invalid or an unabsorbed gap,
/// resync with TryFindFrameStart before parsing again.
/// </summary>
internal sealed class ParserDriver
{
    private const int ResyncWindow = 16 * 1024;

    private readonly List<byte>[] _unconsumed = [[], []];
    private readonly long[] _bufferStart = new long[2];
    private readonly long[] _streamEnd = new long[2];
    private readonly bool[] _resyncing = new bool[2];

    public ParserDriver(HttpParserOptions? options = null, bool multiSegment = false)
    {
        Context = new RecordingParseContext();
        Parser = new HttpParser(options ?? new HttpParserOptions()).CreateConnectionParser(Context);
        MultiSegment = multiSegment;
    }

    /// <summary>Drives any protocol's connection parser the same way (records in <see cref="RecordingParseContext.Records"/>).</summary>
    public ParserDriver(IProtocolParser parser, bool multiSegment = false)
    {
        Context = new RecordingParseContext();
        Parser = parser.CreateConnectionParser(Context);
        MultiSegment = multiSegment;
    }

    public RecordingParseContext Context { get; }

    public IConnectionParser Parser { get; }

    /// <summary>Hand each piece over as a chain of one-byte segments instead of one span.</summary>
    public bool MultiSegment { get; }

    public bool Stopped { get; private set; }

    public int InvalidCount { get; private set; }

    /// <summary>Most bytes the parser ever left unconsumed in a stream (not counting what the driver holds while resyncing).</summary>
    public int MaxBuffered { get; private set; }

    public int Buffered(StreamDirection direction) => _unconsumed[(int)direction].Count;

    public List<HttpRecordView> Records => Context.Http;

    public void Send(string text, DateTimeOffset? time = null) => Feed(StreamDirection.Egress, Encoding.UTF8.GetBytes(text), time);

    public void Receive(string text, DateTimeOffset? time = null) => Feed(StreamDirection.Ingress, Encoding.UTF8.GetBytes(text), time);

    /// <summary>Delivers one piece of a stream.</summary>
    public void Feed(StreamDirection direction, ReadOnlySpan<byte> piece, DateTimeOffset? time = null)
    {
        int d = (int)direction;
        if (time is { } at)
        {
            Context.Mark(direction, _streamEnd[d], at);
        }

        _streamEnd[d] += piece.Length;
        if (Stopped)
        {
            return;
        }

        foreach (byte b in piece)
        {
            _unconsumed[d].Add(b);
        }

        Pump(direction);
    }

    /// <summary>Reports that <paramref name="length"/> bytes of a stream were not captured.</summary>
    public void Gap(StreamDirection direction, long length, DateTimeOffset? timeAfter = null)
    {
        int d = (int)direction;
        if (Stopped)
        {
            _streamEnd[d] += length;
            return;
        }

        bool absorbed = !_resyncing[d] && Parser.OnGap(direction, length);
        if (!absorbed)
        {
            // The parser dropped its place: so does the tracker, with the partial frame it held.
            _unconsumed[d].Clear();
            _resyncing[d] = true;
        }
        else if (_unconsumed[d].Count > 0)
        {
            throw new InvalidOperationException("A gap can only follow consumed bytes; the test delivered it mid-frame.");
        }

        _streamEnd[d] += length;
        _bufferStart[d] = _streamEnd[d];
        if (timeAfter is { } at)
        {
            Context.Mark(direction, _streamEnd[d], at);
        }
    }

    public void Complete() => Parser.Complete();

    private void Pump(StreamDirection direction)
    {
        int d = (int)direction;
        for (int guard = 0; guard < 100_000; guard++)
        {
            var bytes = _unconsumed[d].ToArray();
            if (bytes.Length == 0)
            {
                return;
            }

            var sequence = MultiSegment ? TestSequence.OneBytePerSegment(bytes) : new ReadOnlySequence<byte>(bytes);
            if (_resyncing[d])
            {
                if (!Parser.TryFindFrameStart(direction, sequence, out var start))
                {
                    // A tracker caps what it holds while resyncing; a start line is far shorter than this.
                    if (bytes.Length > ResyncWindow)
                    {
                        Drop(direction, bytes.Length - ResyncWindow);
                    }

                    return;
                }

                Drop(direction, (int)sequence.Slice(0, start).Length);
                _resyncing[d] = false;
                continue;
            }

            var status = Parser.Parse(direction, sequence, _bufferStart[d], out var consumed);
            int used = (int)sequence.Slice(0, consumed).Length;
            Drop(direction, used);
            MaxBuffered = Math.Max(MaxBuffered, _unconsumed[d].Count);
            switch (status)
            {
                case ParseStatus.Continue:
                    return;
                case ParseStatus.Stop:
                    Stopped = true;
                    return;
                case ParseStatus.Invalid:
                    if (used == 0)
                    {
                        throw new InvalidOperationException("Invalid without progress would loop forever.");
                    }

                    InvalidCount++;
                    _resyncing[d] = true;
                    break;
            }
        }

        throw new InvalidOperationException("The parser did not settle.");
    }

    private void Drop(StreamDirection direction, int count)
    {
        int d = (int)direction;
        _unconsumed[d].RemoveRange(0, count);
        _bufferStart[d] += count;
    }
}
