using System.Buffers;
using Ebpf.ProtocolTracing.MySql;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.MySql;

/// <summary>
/// Feeds the MySQL connection parser the way the connection tracker does: unconsumed bytes come back with
/// the next piece; after Invalid (one byte skipped) or an unabsorbed gap, TryFindFrameStart before parsing again.
/// </summary>
internal sealed class MySqlParserDriver
{
    private readonly List<byte>[] _unconsumed = [[], []];
    private readonly long[] _bufferStart = new long[2];
    private readonly long[] _streamEnd = new long[2];
    private readonly bool[] _resyncing = new bool[2];

    public MySqlParserDriver(MySqlParserOptions? options = null, bool multiSegment = false, bool startResyncing = false)
    {
        Context = new RecordingParseContext();
        Parser = new MySqlParser(options ?? new MySqlParserOptions()).CreateConnectionParser(Context);
        MultiSegment = multiSegment;
        _resyncing[0] = _resyncing[1] = startResyncing;
    }

    public RecordingParseContext Context { get; }

    public IConnectionParser Parser { get; }

    public bool MultiSegment { get; }

    public bool Stopped { get; private set; }

    public int InvalidCount { get; private set; }

    /// <summary>Most bytes ever left unconsumed in a stream.</summary>
    public int MaxBuffered { get; private set; }

    public List<MySqlRecord> Records => Context.Records.Cast<MySqlRecord>().ToList();

    /// <summary>The client writes (egress: the traced process is the client).</summary>
    public void Send(byte[] bytes, DateTimeOffset? time = null) => Feed(StreamDirection.Egress, bytes, time);

    /// <summary>The server answers.</summary>
    public void Receive(byte[] bytes, DateTimeOffset? time = null) => Feed(StreamDirection.Ingress, bytes, time);

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

        _unconsumed[d].AddRange(piece.ToArray());
        Pump(direction);
    }

    public void Gap(StreamDirection direction, long length)
    {
        int d = (int)direction;
        bool absorbed = !_resyncing[d] && !Stopped && Parser.OnGap(direction, length);
        if (!absorbed)
        {
            _unconsumed[d].Clear();
            _resyncing[d] = true;
        }

        _streamEnd[d] += length;
        _bufferStart[d] = _streamEnd[d];
    }

    public void Complete() => Parser.Complete();

    private void Pump(StreamDirection direction)
    {
        int d = (int)direction;
        for (int guard = 0; guard < 1_000_000; guard++)
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
                    if (bytes.Length > 64)
                    {
                        Drop(direction, bytes.Length - 64);
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
                    InvalidCount++;
                    if (_unconsumed[d].Count > 0)
                    {
                        Drop(direction, 1);
                    }

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
