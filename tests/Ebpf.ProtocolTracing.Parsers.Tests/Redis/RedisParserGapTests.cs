using System.Text;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Redis;

/// <summary>Losses inside a bulk payload are absorbed; elsewhere the parser resyncs and says what was lost.</summary>
public sealed class RedisParserGapTests
{
    private static readonly DateTimeOffset T0 = RecordingParseContext.Epoch;

    [Fact]
    public void A_100_MB_value_is_never_buffered_and_a_gap_inside_it_is_absorbed()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("GET", "big") + Resp.Command("PING"));
        const long size = 100L * 1024 * 1024;
        driver.Receive($"${size}\r\n");
        driver.Feed(StreamDirection.Ingress, new byte[8192]);
        driver.Gap(StreamDirection.Ingress, size - 8192 - 10);
        driver.Feed(StreamDirection.Ingress, Encoding.ASCII.GetBytes("0123456789\r\n+PONG\r\n"));

        var records = driver.Records();
        Assert.Equal(["GET", "PING"], records.Select(r => r.Command));
        Assert.Equal($"\"{string.Concat(Enumerable.Repeat("\\x00", 256))}…\" ({size} bytes)", records[0].Reply);
        Assert.Equal(size + 2 + $"${size}\r\n".Length, records[0].ReplySize);
        Assert.True(records[0].DataLost, "bytes of the value were not captured");
        Assert.Equal("\"PONG\"", records[1].Reply);
        Assert.False(records[1].DataLost);
        Assert.True(driver.MaxBuffered < 64, $"buffered {driver.MaxBuffered}");
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void A_gap_in_the_reply_stream_outside_a_payload_marks_the_pending_commands_lost_and_resyncs()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("GET", "a") + Resp.Command("GET", "b"), T0);
        driver.Receive("$1\r\n", T0.AddMilliseconds(1));
        driver.Gap(StreamDirection.Ingress, 100, T0.AddMilliseconds(2));
        driver.Send(Resp.Command("INCR", "n"), T0.AddMilliseconds(3));
        driver.Receive("+OK\r\n", T0.AddMilliseconds(2));
        driver.Receive(":7\r\n", T0.AddMilliseconds(4));

        var records = driver.Records();
        Assert.Equal(["GET", "GET", "INCR"], records.Select(r => r.Command));
        Assert.True(records[0].DataLost);
        Assert.Null(records[0].Reply);
        Assert.True(records[1].DataLost, "the reply was paired by a guess after the loss");
        Assert.Equal("(integer) 7", records[2].Reply);
        Assert.False(records[2].DataLost);
    }

    [Fact]
    public void A_gap_in_the_command_stream_resyncs_at_the_next_command_array()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("SET", "a", "1"), T0);
        driver.Send("*3\r\n$3\r\nSET\r\n$1\r\nb", T0.AddMilliseconds(1));
        driver.Gap(StreamDirection.Egress, 50);
        driver.Send("garbage\r\n$1\r\n" + Resp.Command("GET", "c"), T0.AddMilliseconds(5));
        driver.Receive("+OK\r\n", T0.AddMilliseconds(2));
        driver.Receive("+OK\r\n", T0.AddMilliseconds(3));
        driver.Receive("$1\r\nz\r\n", T0.AddMilliseconds(6));

        var records = driver.Records();
        Assert.Equal(["SET", null, "GET"], records.Select(r => r.Command));
        Assert.False(records[0].DataLost);
        Assert.True(records[1].DataLost, "a reply whose command was lost");
        Assert.Equal("\"z\"", records[2].Reply);
    }

    [Fact]
    public void Joining_mid_stream_with_an_unknown_role_finds_the_commands_and_pairs_later_exchanges()
    {
        var context = new UnknownRoleContext();
        var parser = new RedisParser().CreateConnectionParser(context);

        // The server side, joined in the middle of a bulk reply: the tail of a value, then a new exchange.
        Feed(parser, StreamDirection.Egress, "lo world\r\n");
        Feed(parser, StreamDirection.Ingress, "t\r\n$1\r\nx\r\n" + Resp.Command("INCR", "counter"));
        Feed(parser, StreamDirection.Egress, ":42\r\n");

        var record = Assert.Single(context.Records.OfType<RedisRecord>(), r => r.Command is not null);
        Assert.Equal("INCR", record.Command);
        Assert.Equal("(integer) 42", record.Reply);
        Assert.Equal(ConnectionRole.Server, record.Role);
    }

    private static void Feed(IConnectionParser parser, StreamDirection direction, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text).AsMemory();
        for (int guard = 0; guard < 100 && !bytes.IsEmpty; guard++)
        {
            var data = new System.Buffers.ReadOnlySequence<byte>(bytes);
            var status = parser.Parse(direction, data, 0, out var consumed);
            bytes = bytes[(int)data.Slice(0, consumed).Length..];
            if (status != ParseStatus.Invalid)
            {
                return;
            }

            bytes = bytes[1..];
            var rest = new System.Buffers.ReadOnlySequence<byte>(bytes);
            if (!parser.TryFindFrameStart(direction, rest, out var start))
            {
                return;
            }

            bytes = bytes[(int)rest.Slice(0, start).Length..];
        }
    }

    private sealed class UnknownRoleContext : IParseContext
    {
        public ConnectionInfo Connection { get; } = new()
        {
            Id = new ConnectionId(1, 3, 1),
            Process = new ProcessInfo(1, "redis-server", 1),
            Role = ConnectionRole.Unknown,
        };

        public List<ProtocolRecord> Records { get; } = [];

        public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) => T0;

        public void Emit(ProtocolRecord record) => Records.Add(record);
    }
}
