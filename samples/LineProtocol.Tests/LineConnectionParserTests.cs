using System.Buffers;
using System.Text;
using Ebpf.ProtocolTracing;
using Ebpf.ProtocolTracing.Parsing;

namespace Samples.LineProtocol.Tests;

public sealed class LineConnectionParserTests
{
    private readonly RecordingParseContext _context = new();
    private readonly IConnectionParser _parser;
    private readonly Dictionary<StreamDirection, (byte[] Pending, long Position)> _streams = new()
    {
        [StreamDirection.Ingress] = ([], 0),
        [StreamDirection.Egress] = ([], 0),
    };

    public LineConnectionParserTests() => _parser = new LineProtocolParser().CreateConnectionParser(_context);

    [Fact]
    public void Pairs_each_reply_with_the_oldest_request_in_order()
    {
        Feed(StreamDirection.Ingress, "GET alpha\nGET missing\nGET boom\n");
        Feed(StreamDirection.Egress, "VALUE one\nNOT_FOUND\nERROR bad key\n");

        Assert.Equal(["alpha", "missing", "boom"], _context.Records.Select(r => r.Key));
        Assert.Equal([LineReplyKind.Value, LineReplyKind.NotFound, LineReplyKind.Error], _context.Records.Select(r => r.Reply));
        Assert.Equal(["one", null, "bad key"], _context.Records.Select(r => r.Text));
        Assert.Equal(["VALUE", "NOT_FOUND", "ERROR"], _context.Records.Select(r => r.Outcome));
        Assert.Equal([false, false, true], _context.Records.Select(r => r.IsError));
        Assert.Equal("missing", _context.Records[1].Resource);
        Assert.All(_context.Records, r => Assert.Equal(ConnectionRole.Server, r.Role));
        Assert.All(_context.Records, r => Assert.False(r.DataLost));
        // Request "missing" starts at ingress byte 10, its reply at egress byte 10.
        Assert.Equal(TimeSpan.FromMilliseconds(1000), _context.Records[1].Latency);
    }

    [Fact]
    public void Requests_sent_by_the_traced_process_make_it_the_client()
    {
        Feed(StreamDirection.Egress, "GET alpha\n");
        Feed(StreamDirection.Ingress, "VALUE one\n");

        Assert.Equal(ConnectionRole.Client, Assert.Single(_context.Records).Role);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Lines_split_across_reads_parse_the_same(int pieceLength)
    {
        const string requests = "GET alpha\r\nGET beta\n";
        for (var i = 0; i < requests.Length; i += pieceLength)
        {
            Feed(StreamDirection.Ingress, requests.Substring(i, Math.Min(pieceLength, requests.Length - i)));
        }

        Feed(StreamDirection.Egress, "VALUE one\nVALUE two\n");
        Assert.Equal(["alpha", "beta"], _context.Records.Select(r => r.Key));
        Assert.Equal(["one", "two"], _context.Records.Select(r => r.Text));
    }

    [Fact]
    public void Complete_emits_unanswered_requests_without_a_reply()
    {
        Feed(StreamDirection.Ingress, "GET alpha\nGET beta\n");
        Feed(StreamDirection.Egress, "VALUE one\n");
        _parser.Complete();

        Assert.Equal(2, _context.Records.Count);
        var unanswered = _context.Records[1];
        Assert.Equal("beta", unanswered.Key);
        Assert.Equal(LineReplyKind.None, unanswered.Reply);
        Assert.Null(unanswered.ResponseTime);
        Assert.False(unanswered.DataLost);
    }

    [Theory]
    [InlineData("HELLO\n")]
    [InlineData("GET two words\n")]
    [InlineData("GET \n")]
    public void Lines_that_are_not_the_protocol_are_invalid(string line)
    {
        Assert.Equal(ParseStatus.Invalid, Parse(StreamDirection.Ingress, line, out var consumed));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void A_partial_line_longer_than_any_valid_one_is_invalid_instead_of_buffered_forever()
    {
        var endless = "GET " + new string('k', LineProtocolParser.MaxLineLength);
        Assert.Equal(ParseStatus.Invalid, Parse(StreamDirection.Ingress, endless, out _));
        var fresh = new LineProtocolParser().CreateConnectionParser(new RecordingParseContext());
        Assert.Equal(ParseStatus.Continue, fresh.Parse(StreamDirection.Ingress, new ReadOnlySequence<byte>("GET kkkk"u8.ToArray()), 0, out _));
    }

    [Fact]
    public void A_lost_reply_marks_the_waiting_requests_lost_and_resync_finds_the_next_line()
    {
        Feed(StreamDirection.Ingress, "GET alpha\nGET beta\nGET gamma\n");
        Feed(StreamDirection.Egress, "VALUE one\n");

        Assert.False(_parser.OnGap(StreamDirection.Egress, 10));
        Assert.Equal(["alpha", "beta", "gamma"], _context.Records.Select(r => r.Key));
        Assert.All(_context.Records.Skip(1), r => Assert.True(r.DataLost));
        Assert.All(_context.Records.Skip(1), r => Assert.Equal(LineReplyKind.None, r.Reply));

        // After the gap: the tail of a lost line, then whole lines.
        var afterGap = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("lue three\nVALUE four\n"));
        Assert.True(_parser.TryFindFrameStart(StreamDirection.Egress, afterGap, out var start));
        Assert.Equal(10, afterGap.Slice(0, start).Length);
    }

    [Fact]
    public void After_a_request_gap_pairings_are_marked_lost_until_every_request_is_answered()
    {
        Feed(StreamDirection.Ingress, "GET alpha\n");
        Assert.False(_parser.OnGap(StreamDirection.Ingress, 12));
        Feed(StreamDirection.Ingress, "GET beta\n");
        Feed(StreamDirection.Egress, "VALUE one\nVALUE lost-request-reply\n");
        Feed(StreamDirection.Ingress, "GET gamma\n");
        Feed(StreamDirection.Egress, "VALUE three\n");

        Assert.Equal(["alpha", "beta", "gamma"], _context.Records.Select(r => r.Key));
        Assert.Equal([true, true, false], _context.Records.Select(r => r.DataLost));
    }

    [Fact]
    public void Resync_accepts_data_that_starts_with_a_keyword()
    {
        var data = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("NOT_FOUND\n"));
        Assert.True(_parser.TryFindFrameStart(StreamDirection.Egress, data, out var start));
        Assert.Equal(data.Start, start);
        Assert.False(_parser.TryFindFrameStart(StreamDirection.Egress, new ReadOnlySequence<byte>("no newline"u8.ToArray()), out _));
    }

    [Theory]
    [InlineData("GET alpha\n", 90)]
    [InlineData("GET alp", 30)]
    [InlineData("GET /index.html HTTP/1.1\r\n", 0)]
    [InlineData("VALUE one\n", 70)]
    [InlineData("NOT_FOUND\n", 70)]
    [InlineData("SET a b\n", 0)]
    public void Infer_scores_the_first_bytes(string data, int expected) =>
        Assert.Equal(expected, new LineProtocolParser().Infer(Encoding.ASCII.GetBytes(data), StreamDirection.Ingress));

    private void Feed(StreamDirection direction, string text)
    {
        var status = Parse(direction, text, out _);
        Assert.Equal(ParseStatus.Continue, status);
    }

    // Keeps what the parser did not consume and hands it back with the next bytes, as the tracker does.
    private ParseStatus Parse(StreamDirection direction, string text, out long consumedBytes)
    {
        var (pending, position) = _streams[direction];
        var data = pending.Concat(Encoding.ASCII.GetBytes(text)).ToArray();
        var sequence = new ReadOnlySequence<byte>(data);
        var status = _parser.Parse(direction, sequence, position, out var consumed);
        consumedBytes = sequence.Slice(0, consumed).Length;
        _streams[direction] = (data[(int)consumedBytes..], position + consumedBytes);
        return status;
    }
}
