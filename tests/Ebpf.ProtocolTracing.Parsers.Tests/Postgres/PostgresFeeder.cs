using System.Buffers;
using System.Net;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Postgres;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Postgres;

/// <summary>
/// Feeds a PostgreSQL connection parser the way the connection tracker does (unconsumed bytes handed
/// back with the next piece; resync with TryFindFrameStart after Invalid or an unabsorbed gap), with a
/// chosen connection role (unknown = joined mid-stream).
/// </summary>
internal sealed class PostgresFeeder : IParseContext
{
    private readonly RecordingParseContext _recording = new();
    private readonly List<byte>[] _held = [[], []];
    private readonly long[] _position = new long[2];
    private readonly long[] _end = new long[2];
    private readonly bool[] _resyncing = new bool[2];

    public PostgresFeeder(ConnectionRole role = ConnectionRole.Client, PostgresParserOptions? options = null, bool multiSegment = false)
    {
        Connection = _recording.Connection with { Role = role, RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 5432) };
        MultiSegment = multiSegment;
        Parser = new PostgresParser(options ?? new PostgresParserOptions()).CreateConnectionParser(this);
    }

    public ConnectionInfo Connection { get; }

    public IConnectionParser Parser { get; }

    public bool MultiSegment { get; }

    public int InvalidCount { get; private set; }

    public bool Stopped { get; private set; }

    public List<PostgresRecord> Records => _recording.Records.Cast<PostgresRecord>().ToList();

    public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) => _recording.TimeAt(direction, streamPosition);

    public void Emit(ProtocolRecord record) => _recording.Emit(record);

    /// <summary>The client side sends (egress when the traced process is the client).</summary>
    public void Client(byte[] bytes, int? atMilliseconds = null) => Feed(StreamDirection.Egress, bytes, atMilliseconds);

    public void Server(byte[] bytes, int? atMilliseconds = null) => Feed(StreamDirection.Ingress, bytes, atMilliseconds);

    public void Feed(StreamDirection direction, ReadOnlySpan<byte> bytes, int? atMilliseconds = null)
    {
        int d = (int)direction;
        if (atMilliseconds is { } ms)
        {
            _recording.Mark(direction, _end[d], RecordingParseContext.Epoch.AddMilliseconds(ms));
        }

        _end[d] += bytes.Length;
        _held[d].AddRange(bytes.ToArray());
        Pump(direction);
    }

    public void Gap(StreamDirection direction, long length)
    {
        int d = (int)direction;
        // Like the tracker: a gap follows the consumed bytes; a partial frame held back is dropped with it.
        bool absorbed = !_resyncing[d] && Parser.OnGap(direction, length) && _held[d].Count == 0;
        if (!absorbed)
        {
            _held[d].Clear();
            _resyncing[d] = true;
        }

        _end[d] += length;
        _position[d] = _end[d];
    }

    public void Complete() => Parser.Complete();

    private void Pump(StreamDirection direction)
    {
        int d = (int)direction;
        for (int guard = 0; guard < 1_000_000 && _held[d].Count > 0 && !Stopped; guard++)
        {
            var bytes = _held[d].ToArray();
            var data = MultiSegment ? TestSequence.OneBytePerSegment(bytes) : new ReadOnlySequence<byte>(bytes);
            if (_resyncing[d])
            {
                if (!Parser.TryFindFrameStart(direction, data, out var start))
                {
                    Drop(d, Math.Max(0, bytes.Length - 64));
                    return;
                }

                Drop(d, (int)data.Slice(0, start).Length);
                _resyncing[d] = false;
                continue;
            }

            var status = Parser.Parse(direction, data, _position[d], out var consumed);
            int used = (int)data.Slice(0, consumed).Length;
            Drop(d, used);
            if (status == ParseStatus.Continue)
            {
                return;
            }

            if (status == ParseStatus.Stop)
            {
                Stopped = true;
                return;
            }

            Assert.True(used > 0, "Invalid without progress would loop forever");
            InvalidCount++;
            _resyncing[d] = true;
        }
    }

    private void Drop(int d, int count)
    {
        _held[d].RemoveRange(0, count);
        _position[d] += count;
    }
}
